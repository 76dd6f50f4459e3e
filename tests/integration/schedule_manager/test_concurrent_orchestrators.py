"""Two orchestrators against one database (PostgreSQL, or one SQLite file) neither duplicate
nor interleave their work."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from retrovue.infra.admin_services import (
    AssetAdminService,
    ChannelAdminService,
    TemplateAdminService,
)
from retrovue.infra.db import Database, open_database
from retrovue.schedule_manager.models import PlaylogEvent
from retrovue.schedule_manager.schedule_orchestrator import PlanReport, ScheduleOrchestrator
from retrovue.schedule_manager.schedule_service import ScheduleService

NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
CHANNELS = range(2, 10)


@pytest.fixture(params=["postgresql", "sqlite"])
def postgres(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh database on each engine. On SQLite the two serialise on its write lock: the
    second to write a channel finds the plan marks moved and leaves it."""
    if request.param == "postgresql":
        url = request.getfixturevalue("fresh_pg_url")
    else:
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    database = open_database(url)
    media = tmp_path / "media.mp4"
    media.write_bytes(b"\0")
    assets = AssetAdminService(database)
    for i in range(6):
        assets.add_asset(
            f"Ep {i}", (21 + i) * 60_000, str(media), ["sitcom"], canonical=True,
            series="S", episode=i,
        )  # fmt: skip
    for seconds in (15, 30, 60):
        assets.add_asset(f"Ad {seconds}", seconds * 1000, str(media), ["commercial"],
                         "commercial", True)  # fmt: skip
    TemplateAdminService(database).create_template("day")
    TemplateAdminService(database).add_block("day", 360, 360, {"tags": ["sitcom"]})
    for number in CHANNELS:
        ChannelAdminService(database).create_channel(
            number, f"Ch {number}", timezone="America/New_York", default_template="day"
        )
    yield database
    database.dispose()


def _run_together(database: Database) -> list[PlanReport]:
    reports: list[PlanReport] = []
    barrier = threading.Barrier(2)

    def plan() -> None:
        barrier.wait()
        reports.append(ScheduleOrchestrator(database, horizon_hours=24).run_once(NOW))

    threads = [threading.Thread(target=plan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return reports


def test_two_orchestrators_at_once_plan_each_channel_exactly_once(postgres: Database) -> None:
    reports = _run_together(postgres)
    assert len(reports) == 2
    # Every channel was planned by one of them; the other found it locked or already done.
    assert sum(r.channels_planned for r in reports) >= len(CHANNELS)
    service = ScheduleService(postgres)
    for number in CHANNELS:
        items = service.items_between(number, NOW, NOW + dt.timedelta(hours=24))
        assert items[0].start_utc <= NOW and items[-1].end_utc >= NOW + dt.timedelta(hours=24)
        for before, after in itertools.pairwise(items):
            assert before.end_utc == after.start_utc
    with postgres.reading() as session:
        written = session.scalar(select(func.count()).select_from(PlaylogEvent))
    assert written == sum(r.events_written for r in reports)
    # A third run finds nothing to do: the two left one complete horizon, not two halves.
    assert ScheduleOrchestrator(postgres, horizon_hours=24).run_once(NOW).events_written == 0
