"""The orchestrator and ScheduleService against real SQLite and PostgreSQL databases."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from retrovue.infra.admin_services import (
    AssetAdminService,
    ChannelAdminService,
    ScheduleAdminService,
    TemplateAdminService,
)
from retrovue.infra.db import Database
from retrovue.schedule_manager.catalog import catalog_fingerprint
from retrovue.schedule_manager.config import ChannelConfig, load_channels
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator
from retrovue.schedule_manager.schedule_service import ScheduleService

NOW = dt.datetime(2026, 11, 30, 15, 7, tzinfo=dt.UTC)
MIN = 60_000


@pytest.fixture
def station(database: Database, tmp_path: Path) -> Database:
    media = tmp_path / "media.mp4"
    media.write_bytes(b"\0")
    assets = AssetAdminService(database)
    for i in range(4):
        assets.add_asset(
            f"Sitcom {i}", 22 * MIN, str(media), ["sitcom"], canonical=True, series="S", episode=i
        )
    assets.add_asset("Unapproved", 22 * MIN, str(media), ["sitcom"], canonical=False)
    for seconds in (30, 30, 15, 60):
        assets.add_asset(
            f"Ad {seconds}", seconds * 1000, str(media), ["commercial"], "commercial", True
        )
    templates = TemplateAdminService(database)
    templates.create_template("sitcoms")
    templates.add_block("sitcoms", 360, 360, {"tags": ["sitcom"]})
    ChannelAdminService(database).create_channel(
        2, "Retro Two", timezone="America/New_York", default_template="sitcoms"
    )
    return database


def _contiguous(service: ScheduleService, start: dt.datetime, end: dt.datetime) -> None:
    items = service.items_between(2, start, end)
    assert items[0].start_utc <= start and items[-1].end_utc >= end
    for before, after in itertools.pairwise(items):
        assert before.end_utc == after.start_utc


def test_run_once_fills_the_horizon_contiguously_and_a_second_run_does_nothing(
    station: Database,
) -> None:
    orchestrator = ScheduleOrchestrator(station, horizon_hours=30)
    report = orchestrator.run_once(NOW)
    assert report.channels_planned == 1 and report.events_written > 0
    assert orchestrator.run_once(NOW).events_written == 0
    service = ScheduleService(station)
    _contiguous(service, NOW, NOW + dt.timedelta(hours=30))


def test_what_is_airing_gives_the_offset_into_the_file(station: Database) -> None:
    ScheduleOrchestrator(station, horizon_hours=6).run_once(NOW)
    airing = ScheduleService(station).what_is_airing(2, NOW)
    assert airing is not None
    assert airing.item.start_utc <= NOW < airing.item.end_utc
    expected = (NOW - airing.item.start_utc) // dt.timedelta(milliseconds=1)
    assert airing.offset_ms == expected + airing.item.in_point_ms
    assert ScheduleService(station).what_is_airing(2, NOW - dt.timedelta(days=30)) is None


def test_non_canonical_assets_never_reach_the_playlog(station: Database) -> None:
    ScheduleOrchestrator(station, horizon_hours=24).run_once(NOW)
    items = ScheduleService(station).items_between(2, NOW, NOW + dt.timedelta(hours=24))
    assert all(i.title != "Unapproved" for i in items)
    assert all(i.canonical and i.available for i in items if i.asset_id is not None)


def test_a_changed_template_replans_only_what_has_not_started(station: Database) -> None:
    orchestrator = ScheduleOrchestrator(station, horizon_hours=24)
    orchestrator.run_once(NOW)
    service = ScheduleService(station)
    on_air = service.what_is_airing(2, NOW)
    assert on_air is not None
    before = service.items_between(2, NOW - dt.timedelta(hours=3), NOW)
    TemplateAdminService(station).create_template("slate only")
    ScheduleAdminService(station).assign_template(
        2, "slate only", dt.date(2026, 11, 30), dt.date(2026, 12, 1)
    )
    report = orchestrator.run_once(NOW)
    assert report.events_replaced > 0
    assert service.items_between(2, NOW - dt.timedelta(hours=3), NOW) == before
    still = service.what_is_airing(2, NOW)
    assert still is not None and still.item == on_air.item
    later = service.items_between(2, NOW + dt.timedelta(hours=1), NOW + dt.timedelta(hours=20))
    assert {i.kind for i in later} == {"slate"}
    _contiguous(service, NOW - dt.timedelta(hours=3), NOW + dt.timedelta(hours=24))


def test_history_older_than_the_retention_window_is_trimmed(station: Database) -> None:
    orchestrator = ScheduleOrchestrator(station, horizon_hours=24, retention_hours=2)
    orchestrator.run_once(NOW)
    report = orchestrator.run_once(NOW + dt.timedelta(hours=12))
    assert report.events_trimmed > 0
    service = ScheduleService(station)
    assert service.items_between(2, NOW - dt.timedelta(days=2), NOW + dt.timedelta(hours=9)) == []


def test_preview_writes_nothing_and_shows_sitcoms_on_the_half_hour(station: Database) -> None:
    service = ScheduleService(station)
    items = service.preview_day(2, dt.date(2026, 12, 1))
    assert service.items_between(2, NOW, NOW + dt.timedelta(days=3)) == []
    starts = [i.start_utc for i in items if i.kind == "program" and i.in_point_ms == 0]
    assert len(starts) == 48
    assert all(s.minute in (0, 30) and s.second == 0 for s in starts)
    assert {i.kind for i in items} >= {"program", "commercial"}


@pytest.mark.parametrize("order", ["sequential", "shuffle", "least_recently_used"])
def test_a_mid_day_replan_after_a_catalog_change_reruns_nothing_the_morning_aired(
    database: Database, tmp_path: Path, order: str
) -> None:
    media = tmp_path / "media.mp4"
    media.write_bytes(b"\0")
    assets = AssetAdminService(database)
    for i in range(60):
        assets.add_asset(
            f"Drama {i}", 22 * MIN, str(media), ["drama"], canonical=True, series="D", episode=i
        )
    templates = TemplateAdminService(database)
    templates.create_template("dramas")
    templates.add_block("dramas", 360, 360, {"tags": ["drama"], "order": order})
    ChannelAdminService(database).create_channel(
        2, "Retro Two", timezone="America/New_York", default_template="dramas"
    )
    orchestrator = ScheduleOrchestrator(database, horizon_hours=24)
    orchestrator.run_once(NOW)
    service = ScheduleService(database)
    day_start = dt.datetime(2026, 11, 30, 11, tzinfo=dt.UTC)  # 06:00 in New York
    past = service.items_between(2, day_start, NOW)

    assets.add_asset("Late addition", 22 * MIN, str(media), ["news"], canonical=True)
    report = orchestrator.run_once(NOW)

    assert report.events_replaced > 0
    assert service.items_between(2, day_start, NOW) == past
    aired = {i.asset_id for i in past if i.kind == "program"}
    day_end = dt.datetime(2026, 12, 1, 11, tzinfo=dt.UTC)
    rest = service.items_between(2, past[-1].end_utc, day_end)
    assert len(aired) >= 8
    assert aired.isdisjoint(i.asset_id for i in rest if i.kind == "program")
    _contiguous(service, day_start, NOW + dt.timedelta(hours=24))


def test_a_window_from_the_first_representable_instant_reads_without_overflow(
    station: Database,
) -> None:
    earliest = dt.datetime.min.replace(tzinfo=dt.UTC)
    assert ScheduleService(station).items_between(2, earliest, NOW) == []


def test_the_playlog_token_moves_on_every_replan_and_only_then(station: Database) -> None:
    orchestrator = ScheduleOrchestrator(station, horizon_hours=24)
    assert ScheduleService(station).guide_token() == (0, 0)
    orchestrator.run_once(NOW)
    planned = ScheduleService(station).guide_token()
    assert orchestrator.run_once(NOW).events_written == 0
    assert ScheduleService(station).guide_token() == planned
    # Replacing the top rows reuses their ids on SQLite: the change counter still moves.
    TemplateAdminService(station).create_template("slate only")
    ScheduleAdminService(station).assign_template(
        2, "slate only", dt.date(2026, 11, 30), dt.date(2026, 12, 1)
    )
    assert orchestrator.run_once(NOW).events_replaced > 0
    replanned = ScheduleService(station).guide_token()
    assert replanned != planned and replanned[0] > planned[0]


def test_a_channel_another_orchestrator_wrote_since_it_was_planned_is_left_to_it(
    station: Database,
) -> None:
    """A pass plans a channel, then writes it in a transaction of its own; in between another
    station's orchestrator wrote the channel: the write finds the plan marks moved and leaves
    the channel as the other wrote it (no rows twice, none replaced)."""
    slow, quick = ScheduleOrchestrator(station), ScheduleOrchestrator(station)
    channel = next(c for c in _channels(station) if c.number == 2)
    with station.reading() as session:
        fingerprint = catalog_fingerprint(session)
        plan = slow._plan_channel(session, channel, NOW, fingerprint)
    assert plan is not None and plan.events
    assert quick.run_once(NOW).channels_planned == 1
    service = ScheduleService(station)
    written = [(i.event_id, i.start_utc) for i in service.items_between(2, NOW, NOW + _DAY)]
    assert slow._write(plan) is None
    assert [(i.event_id, i.start_utc) for i in service.items_between(2, NOW, NOW + _DAY)] == written
    # With the marks as read, the same write goes through.
    with station.reading() as session:
        again = slow._plan_channel(session, channel, NOW + _DAY, fingerprint)
    assert again is not None and slow._write(again) is not None


_DAY = dt.timedelta(days=1)


def _channels(database: Database) -> list[ChannelConfig]:
    with database.reading() as session:
        return load_channels(session)
