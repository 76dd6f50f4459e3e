"""The two tiers against real databases: the EPG tier two weeks ahead, the playlog tier laid
out from it as time advances, replans that leave what already aired and today alone."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from retrovue.infra.admin_services import (
    AssetAdminService,
    ChannelAdminService,
    ScheduleAdminService,
    TemplateAdminService,
)
from retrovue.infra.db import Database, open_database
from retrovue.schedule_manager.models import CatalogAsset, EpgEntry, PlaylogEvent
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator
from retrovue.schedule_manager.schedule_service import ScheduleService
from retrovue.schedule_manager.timemath import to_ms
from retrovue.schedule_manager.xmltv import render_xmltv

NOW = dt.datetime(2026, 11, 30, 15, 7, tzinfo=dt.UTC)
MIN = 60_000


def _seed(database: Database, media: Path, zone: str = "America/New_York") -> None:
    media.write_bytes(b"\0")
    assets = AssetAdminService(database)
    for i in range(6):
        assets.add_asset(f"Sitcom {i}", 22 * MIN + i * 7_000, str(media), ["sitcom"],
                         canonical=True, series="S", episode=i)  # fmt: skip
        assets.add_asset(f"Drama {i}", 44 * MIN - i * 5_000, str(media), ["drama"],
                         canonical=True)  # fmt: skip
    assets.add_asset("Unapproved", 22 * MIN, str(media), ["sitcom", "drama"], canonical=False)
    assets.add_asset("Unapproved ad", 30_000, str(media), ["commercial"], "commercial", False)
    for seconds in (30, 30, 15, 60, 10):
        assets.add_asset(f"Ad {seconds}", seconds * 1000, str(media), ["commercial"],
                         "commercial", True)  # fmt: skip
    templates = TemplateAdminService(database)
    templates.create_template("sitcoms")
    templates.add_block("sitcoms", 360, 1080, {"tags": ["sitcom"], "order": "sequential",
                                               "filler_tags": ["commercial"], "breaks": "even",
                                               "break_count": 2})  # fmt: skip
    templates.add_block("sitcoms", 1080, 360, {"tags": ["drama"], "order": "shuffle",
                                               "filler_tags": ["commercial"]})  # fmt: skip
    templates.create_template("dramas")
    templates.add_block("dramas", 360, 360, {"tags": ["drama"], "order": "least_recently_used",
                                             "filler_tags": ["commercial"]})  # fmt: skip
    ChannelAdminService(database).create_channel(2, "Two", timezone=zone,
                                                 default_template="sitcoms")  # fmt: skip


def _rows(database: Database, model: Any) -> list[tuple[Any, ...]]:
    with database.reading() as session:
        rows = session.scalars(select(model).order_by(model.start_ms)).all()
        keys = [c.key for c in model.__table__.columns]
        return [tuple(getattr(r, k) for k in keys) for r in rows]


def test_a_template_change_next_week_leaves_today_untouched_and_replans_from_that_day(
    database: Database, tmp_path: Path
) -> None:
    _seed(database, tmp_path / "media.mp4")
    orchestrator = ScheduleOrchestrator(database)
    first = orchestrator.run_once(NOW)
    assert first.days_built == 15 and first.days_laid == 3  # 14 days of guide, 48 h of playlog
    events_before, entries_before = _rows(database, PlaylogEvent), _rows(database, EpgEntry)
    next_week = dt.date(2026, 12, 7)
    ScheduleAdminService(database).assign_template_for_day(2, "dramas", next_week)
    report = orchestrator.run_once(NOW + dt.timedelta(minutes=1))
    assert report.days_built == 15 - 7 and report.days_laid == 0
    assert report.events_replaced == 0
    # Today's and every day's before next week: the very same rows (ids included).
    assert _rows(database, PlaylogEvent) == events_before
    cut = to_ms(ScheduleService(database).day_span(2, next_week)[0])
    entries_after = _rows(database, EpgEntry)
    assert [e for e in entries_after if e[3] < cut] == [e for e in entries_before if e[3] < cut]
    titles = {i.title for i in ScheduleService(database).show_day(2, next_week) if i.title}
    assert titles and all(t.startswith("Drama") for t in titles)


def test_the_guide_reaches_two_weeks_ahead_while_the_playlog_holds_two_days(
    database: Database, tmp_path: Path
) -> None:
    _seed(database, tmp_path / "media.mp4")
    ScheduleOrchestrator(database).run_once(NOW)
    service = ScheduleService(database)
    later = NOW + dt.timedelta(days=10)
    assert service.items_between(2, later, later + dt.timedelta(hours=3)) == []
    guide = service.guide_between(2, later, later + dt.timedelta(hours=3))
    assert guide and all(i.kind == "program" and i.title for i in guide)
    xml = render_xmltv(service, later, later + dt.timedelta(hours=3)).decode()
    assert xml.count("<programme ") == len(guide) and "Off Air" not in xml


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.datetimes(min_value=dt.datetime(2026, 3, 5), max_value=dt.datetime(2026, 3, 9, 23))
    | st.datetimes(min_value=dt.datetime(2026, 10, 29), max_value=dt.datetime(2026, 11, 2, 23)),
    zone=st.sampled_from(["America/New_York", "Europe/London", "Australia/Lord_Howe"]),
)
def test_the_playlog_laid_out_later_is_the_playlog_laid_out_now_across_dst(
    start: dt.datetime, zone: str
) -> None:
    """Two stations, one lays 4 days out at once, the other 1 day at a time as the clock moves
    on across a DST change: the same events, and none names an asset not cleared to air."""
    now = start.replace(tzinfo=dt.UTC)
    with tempfile.TemporaryDirectory() as tmp:
        at_once = open_database(f"sqlite:///{Path(tmp) / 'once.db'}")
        stepwise = open_database(f"sqlite:///{Path(tmp) / 'steps.db'}")
        try:
            for db in (at_once, stepwise):
                _seed(db, Path(tmp) / "media.mp4", zone)
            ScheduleOrchestrator(at_once, horizon_hours=96, retention_hours=200).run_once(now)
            steps = ScheduleOrchestrator(stepwise, horizon_hours=24, retention_hours=200)
            for hours in range(0, 97, 24):
                steps.run_once(now + dt.timedelta(hours=hours))
            once, stepped = _rows(at_once, PlaylogEvent), _rows(stepwise, PlaylogEvent)
            horizon = to_ms(now + dt.timedelta(hours=96))
            assert [r[1:] for r in once if r[3] < horizon] == [
                r[1:] for r in stepped if r[3] < horizon
            ]
            with stepwise.reading() as session:
                airable = CatalogAsset.canonical.is_(True), CatalogAsset.available.is_(True)
                cleared = set(session.scalars(select(CatalogAsset.id).where(*airable)))
            for model in (PlaylogEvent, EpgEntry):
                for db in (at_once, stepwise):
                    named = {r[6] for r in _rows(db, model)} - {None}  # asset_id
                    assert named and named <= cleared, model
        finally:
            at_once.dispose()
            stepwise.dispose()
