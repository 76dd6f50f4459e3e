"""The narrow calls runtime makes of the schedule manager, on real SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from retrovue.infra.admin_services import AssetAdminService, ChannelAdminService
from retrovue.infra.db import Database
from retrovue.schedule_manager.asrun import AsRunEnd, AsRunStart
from retrovue.schedule_manager.models import AsRunEvent
from retrovue.schedule_manager.schedule_service import ScheduleService

START = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC)


@pytest.fixture
def media(tmp_path: Path) -> str:
    path = tmp_path / "episode.mkv"
    path.write_bytes(b"\0")
    return str(path)


def test_every_change_of_an_assets_gating_moves_the_gating_revision_and_nothing_else_does(
    database: Database, media: str
) -> None:
    service = ScheduleService(database)
    assets = AssetAdminService(database)
    asset = assets.add_asset("Pilot", 1_800_000, media, canonical=True)["id"]
    seen = [service.gating_revision()]
    assets.update_asset(asset, title="Pilot (restored)")  # not gating: no move
    seen.append(service.gating_revision())
    assets.update_asset(asset, canonical=False)  # withdrawn
    seen.append(service.gating_revision())
    assets.update_asset(asset, canonical=True)  # approved again
    seen.append(service.gating_revision())
    assert seen[1] == seen[0]
    assert seen[0] < seen[2] < seen[3]


def test_as_run_entries_are_written_in_one_transaction_with_their_node(
    database: Database, media: str
) -> None:
    ChannelAdminService(database).create_channel(4, "Four")
    service = ScheduleService(database)
    rows = service.record_asrun(
        [
            AsRunStart(1, 4, None, None, START, "substituted", "nothing scheduled", "node-a"),
            AsRunEnd(1, START + dt.timedelta(seconds=30)),
            AsRunStart(2, 4, 999_999, 999_999, START, "aired", None, "node-a"),  # gone since
        ]
    )
    assert set(rows) == {1, 2}
    service.record_asrun([AsRunEnd(2, START + dt.timedelta(minutes=1), row_id=rows[2])])
    with database.reading() as session:
        written = [
            (r.status, r.node, r.playlog_event_id, r.asset_id, r.ended_utc is not None)
            for r in session.scalars(select(AsRunEvent).order_by(AsRunEvent.id))
        ]
    assert written == [
        ("substituted", "node-a", None, None, True),
        ("aired", "node-a", None, None, True),
    ]


def test_the_device_id_and_the_guide_token_come_from_the_station_database(
    database: Database,
) -> None:
    service = ScheduleService(database)
    service.ping()
    assert service.guide_token() == service.guide_token()
