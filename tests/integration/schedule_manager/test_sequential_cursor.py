"""A sequential block's cursor across days, with the catalog changing under it (real databases)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from retrovue.infra.admin_services import (
    AssetAdminService,
    ChannelAdminService,
    TemplateAdminService,
)
from retrovue.infra.db import Database
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator
from retrovue.schedule_manager.schedule_service import ScheduleService

MIN = 60_000
# Channel 2 runs UTC with the 06:00 rollover; the series airs 18:00-22:00, eight episodes a night.
FIRST_RUN = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
NEXT_NOON = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def station(database: Database, tmp_path: Path) -> tuple[Database, dict[int, int]]:
    """Ten episodes of "Serial" in prime time, slate the rest of the day; episode -> asset id."""
    media = tmp_path / "media.mp4"
    media.write_bytes(b"\0")
    assets = AssetAdminService(database)
    ids = {}
    for episode in range(1, 11):
        row = assets.add_asset(
            f"Part {episode}", 22 * MIN, str(media), ["serial"], canonical=True,
            series="Serial", season=1, episode=episode,
        )  # fmt: skip
        ids[episode] = int(row["id"])
    templates = TemplateAdminService(database)
    templates.create_template("prime")
    rule = {"series": ["Serial"], "order": "sequential", "breaks": "none", "filler_tags": []}
    templates.add_block("prime", 18 * 60, 22 * 60, rule)
    ChannelAdminService(database).create_channel(2, "Two", default_template="prime")
    return database, ids


def _prime_time(service: ScheduleService, day: dt.date) -> list[int | None]:
    start = dt.datetime.combine(day, dt.time(18), dt.UTC)
    items = service.items_between(2, start, start + dt.timedelta(hours=4))
    return [i.asset_id for i in items if i.kind == "program" and i.in_point_ms == 0]


def test_withdrawing_the_last_aired_episode_continues_the_series_after_it(
    station: tuple[Database, dict[int, int]],
) -> None:
    database, ids = station
    orchestrator = ScheduleOrchestrator(database, horizon_hours=36)
    orchestrator.run_once(FIRST_RUN)
    service = ScheduleService(database)
    first_night = _prime_time(service, dt.date(2026, 11, 29))
    assert first_night == [ids[e] for e in range(1, 9)]

    # Part 8 aired last night; the operator withdraws it this morning.
    AssetAdminService(database).update_asset(ids[8], canonical=False)
    orchestrator.run_once(NEXT_NOON)

    tonight = _prime_time(service, dt.date(2026, 11, 30))
    assert tonight[:3] == [ids[9], ids[10], ids[1]]
    assert ids[8] not in tonight


def test_an_episode_added_after_the_last_aired_one_airs_next(
    station: tuple[Database, dict[int, int]], tmp_path: Path
) -> None:
    database, ids = station
    orchestrator = ScheduleOrchestrator(database, horizon_hours=36)
    orchestrator.run_once(FIRST_RUN)
    media = tmp_path / "media.mp4"
    late = AssetAdminService(database).add_asset(
        "Part 8b", 22 * MIN, str(media), ["serial"], canonical=True,
        series="Serial", season=1, episode=8, episode_title="Part 8b",
    )  # fmt: skip
    orchestrator.run_once(NEXT_NOON)
    tonight = _prime_time(ScheduleService(database), dt.date(2026, 11, 30))
    # Same season and episode number as part 8, but its title sorts after "Part 8".
    assert tonight[:3] == [late["id"], ids[9], ids[10]]
