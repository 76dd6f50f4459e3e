"""The as-run log read back for a broadcast day, on real SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from retrovue.infra.admin_services import AssetAdminService, ChannelAdminService
from retrovue.infra.db import Database
from retrovue.schedule_manager.asrun import AsRunEnd, AsRunStart
from retrovue.schedule_manager.asrun_log import asrun_day
from retrovue.schedule_manager.schedule_service import ScheduleService

# Broadcast day 2026-12-01 of a New York channel rolling over at 06:00 runs from 11:00 UTC
# on the 1st to 11:00 UTC on the 2nd.
DAY = dt.date(2026, 12, 1)
ROLLOVER = dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.UTC)


def test_a_days_as_run_rows_are_those_started_within_its_broadcast_day_with_what_aired(
    database: Database, tmp_path: Path
) -> None:
    media = tmp_path / "pilot.mkv"
    media.write_bytes(b"\0")
    ChannelAdminService(database).create_channel(5, "Five", timezone="America/New_York")
    ChannelAdminService(database).create_channel(6, "Six")
    asset = AssetAdminService(database).add_asset("Pilot", 60_000, str(media), canonical=True)
    before, first = ROLLOVER - dt.timedelta(seconds=1), ROLLOVER
    last = ROLLOVER + dt.timedelta(hours=23, minutes=59)
    ScheduleService(database).record_asrun(
        [
            AsRunStart(1, 5, None, asset["id"], before, "aired", None, "node-a"),
            AsRunStart(2, 5, None, asset["id"], first, "aired", None, "node-a"),
            AsRunEnd(2, first + dt.timedelta(minutes=1)),
            AsRunStart(3, 5, None, None, last, "substituted", "file changed since approval"),
            AsRunStart(4, 6, None, asset["id"], first, "aired"),  # another channel
            AsRunStart(5, 5, None, None, ROLLOVER + dt.timedelta(days=1), "emergency"),
        ]
    )
    rows = asrun_day(database, 5, DAY)
    assert [(r.started_utc, r.status, r.title, r.kind, r.reason) for r in rows] == [
        (first, "aired", "Pilot", "program", None),
        (last, "substituted", None, None, "file changed since approval"),
    ]
    assert rows[0].ended_utc == first + dt.timedelta(minutes=1)
    assert (rows[0].node, rows[1].ended_utc) == ("node-a", None)
