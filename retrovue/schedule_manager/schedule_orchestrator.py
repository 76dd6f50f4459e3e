"""Keeps both tiers of every active channel planned ahead and trims old history.

The EPG tier (programme slots and their break positions) is planned `epg_days` ahead; the
playlog tier (every event with its spots) `horizon_hours` ahead, laid out from the EPG tier a
whole broadcast day at a time as the day comes into range. A change re-plans from the first
guide entry that has not started, on the days whose configuration changed and after.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from retrovue.infra.db import Database
from retrovue.schedule_manager import epg, playlog, tiers
from retrovue.schedule_manager.breaks import BreakFiller, Event, GuideEntry
from retrovue.schedule_manager.catalog import Catalog, catalog_fingerprint
from retrovue.schedule_manager.config import (
    ChannelConfig,
    day_fingerprint,
    load_blocks,
    load_channels,
    templates_by_day,
)
from retrovue.schedule_manager.planner import Block, ChannelPlanner
from retrovue.schedule_manager.rules import KEEP_SNAPSHOT_DAYS, Selector, book_before, record_day
from retrovue.schedule_manager.timemath import to_ms

DAY_MS: Final = 86_400_000

log = logging.getLogger(__name__)

# pg advisory lock class of the orchestrator; the second key is the channel id (0: trimming).
LOCK_CLASS: Final = 4_2026


@dataclass
class PlanReport:
    """What one `run_once` did."""

    channels_planned: int = 0
    events_written: int = 0
    events_replaced: int = 0
    days_built: int = 0
    entries_written: int = 0
    days_laid: int = 0
    events_trimmed: int = 0
    channels_locked: int = 0
    warnings: list[str] = field(default_factory=list)


class Planning:
    """The catalog loaded once, with the pools every channel of a run shares."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.selector = Selector(catalog)
        self.filler = BreakFiller(catalog)

    def planner(self, channel: ChannelConfig) -> ChannelPlanner:
        return ChannelPlanner(channel.id, channel.clock, self.selector, self.filler)


class ScheduleOrchestrator:
    """Extends horizons idempotently; re-plans changed days from the first unaired entry."""

    def __init__(
        self,
        db: Database,
        horizon_hours: float = 48.0,
        retention_hours: float = 48.0,
        epg_days: float = 14.0,
    ) -> None:
        self.db = db
        self.horizon_ms = round(horizon_hours * 3_600_000)
        self.epg_ms = max(round(epg_days * DAY_MS), self.horizon_ms)
        self.retention_ms = round(retention_hours * 3_600_000)
        self._planning: tuple[str, Planning] | None = None

    def run_once(self, now: dt.datetime) -> PlanReport:
        with collector_paused():
            return self._run_once(now)

    def _run_once(self, now: dt.datetime) -> PlanReport:
        report = PlanReport()
        with self.db.reading() as session:
            channels = [c for c in load_channels(session) if c.kind == "linear"]
            catalog_fp = catalog_fingerprint(session)
        for channel in channels:
            with self.db.transaction() as session:
                if not self._lock(session, channel.id):
                    report.channels_locked += 1
                    continue
                self._plan_channel(session, channel, now, catalog_fp, report)
        with self.db.transaction() as session:
            if self._lock(session, 0):
                cutoff = to_ms(now) - self.retention_ms
                report.events_trimmed = tiers.delete_before(session, playlog.EVENTS, cutoff)
                tiers.delete_before(session, epg.ENTRIES, cutoff)
                if report.events_trimmed:
                    playlog.bump_revision(session)
        return report

    def _lock(self, session: Session, key: int) -> bool:
        """On PostgreSQL, one orchestrator per channel at a time (released at commit)."""
        if self.db.dialect != "postgresql":
            return True
        got = session.execute(
            text("SELECT pg_try_advisory_xact_lock(:a, :b)"), {"a": LOCK_CLASS, "b": key}
        ).scalar()
        return bool(got)

    def planning(self, session: Session, catalog_fp: str) -> Planning:
        if self._planning is None or self._planning[0] != catalog_fp:
            self._planning = (catalog_fp, Planning(Catalog.load(session)))
        return self._planning[1]

    def _plan_channel(
        self,
        session: Session,
        channel: ChannelConfig,
        now: dt.datetime,
        catalog_fp: str,
        report: PlanReport,
    ) -> None:
        clock = channel.clock
        now_ms = to_ms(now)
        first, last = clock.broadcast_day(now_ms), clock.broadcast_day(now_ms + self.epg_ms)
        laid_last = clock.broadcast_day(now_ms + self.horizon_ms)
        templates = templates_by_day(session, channel, first, last)
        blocks = load_blocks(session, templates.values())
        fingerprints = {
            day: day_fingerprint(channel, tid, blocks.get(tid) if tid else None, catalog_fp)
            for day, tid in templates.items()
        }
        marks = playlog.load_snapshots(session, channel.id, (playlog.PLAN_KEY, playlog.FILL_KEY))
        planned = marks.get(playlog.PLAN_KEY, {})
        laid = marks.get(playlog.FILL_KEY, {})
        dirty = next((d for d in templates if planned.get(d.isoformat()) != fingerprints[d]), None)
        changed = False
        snapshots: dict[str, dict[str, Any]] = {}
        fresh: dict[dt.date, list[GuideEntry]] = {}
        if dirty is not None:
            snapshots = playlog.load_snapshots(session, channel.id)
            for key in (playlog.PLAN_KEY, playlog.FILL_KEY):
                snapshots.pop(key, None)
            fresh = self._plan_epg(session, channel, now_ms, dirty, last, templates, blocks,
                                   snapshots, catalog_fp, report)  # fmt: skip
            for day in templates:
                if day >= dirty:
                    planned[day.isoformat()] = fingerprints[day]
                    laid.pop(day.isoformat(), None)
            changed = True
        planner: ChannelPlanner | None = None
        events: list[Event] = []
        after: int | None = None
        day = first
        while day <= laid_last:
            iso = day.isoformat()
            if laid.get(iso) != planned.get(iso):
                if planner is None:
                    planner = self.planning(session, catalog_fp).planner(channel)
                    after = tiers.last_end(session, playlog.EVENTS, channel.id)
                entries = fresh.get(day)
                if entries is None:
                    entries = epg.entries_of_day(session, channel.id, day)
                # The whole day is laid out from its first entry, so its spots come out the
                # same whenever it is done; only events from the playlog's end on are kept.
                laid_out = planner.lay(day, entries)
                if after is not None:
                    laid_out = [e for e in laid_out if e.start_ms >= after]
                if laid_out:
                    after = laid_out[-1].end_ms
                events += laid_out
                laid[iso] = planned[iso]
                report.days_laid += 1
                changed = True
            day += dt.timedelta(days=1)
        if not changed:
            return
        written = playlog.insert_events(session, channel.id, events)
        oldest = (first - dt.timedelta(days=KEEP_SNAPSHOT_DAYS)).isoformat()
        keep = range_filter(oldest, last.isoformat())
        snapshots[playlog.PLAN_KEY] = keep(planned)
        snapshots[playlog.FILL_KEY] = keep(laid)
        playlog.save_snapshots(session, channel.id, snapshots, snapshots.keys())
        playlog.bump_revision(session)
        report.events_written += written
        report.channels_planned += 1
        log.info("channel %s planned to %s, laid out to %s: %s events", channel.number, last,
                 laid_last, written)  # fmt: skip

    def _plan_epg(
        self,
        session: Session,
        channel: ChannelConfig,
        now_ms: int,
        dirty: dt.date,
        last: dt.date,
        templates: dict[dt.date, int | None],
        blocks: dict[int, list[Block]],
        snapshots: dict[str, dict[str, Any]],
        catalog_fp: str,
        report: PlanReport,
    ) -> dict[dt.date, list[GuideEntry]]:
        """Re-plan the EPG tier from the first entry of `dirty` or after that has not started;
        the playlog from that point goes too (it is laid out again from the new entries).
        Returns the days planned whole, with their entries."""
        clock = channel.clock
        day_start = clock.day_start_ms(dirty)
        cut = max(day_start, now_ms)
        cut = epg.end_covering(session, channel.id, cut) or cut
        tiers.delete_from(session, epg.ENTRIES, channel.id, cut)
        report.events_replaced += tiers.delete_from(session, playlog.EVENTS, channel.id, cut)
        previous_end = tiers.last_end(session, epg.ENTRIES, channel.id)
        carry = day_start
        if previous_end is not None and previous_end >= day_start:
            carry = previous_end
        # What the day already aired is replayed into its orders, so a mid-day re-plan goes on
        # with the next episode instead of starting the day's sequence (and reruns) again.
        aired = epg.aired_programs(session, channel.id, dirty, carry)
        planner = self.planning(session, catalog_fp).planner(channel)
        # The book each day leaves is the one the next day starts from (as `book_before`
        # would read it back from the snapshots `record_day` keeps).
        book = book_before(snapshots, dirty)
        planned: dict[dt.date, list[GuideEntry]] = {}
        entries: list[GuideEntry] = []
        day = dirty
        while day <= last:
            template_id = templates[day]
            day_blocks = blocks[template_id] if template_id else None
            plan = planner.plan_day(day, day_blocks, book, carry, aired if day == dirty else ())
            record_day(snapshots, book, day)
            entries += plan.entries
            report.warnings.extend(f"channel {channel.number}, {day}: {w}" for w in plan.warnings)
            if day > dirty or cut == day_start:
                planned[day] = plan.entries  # the whole day, as just planned
            carry = plan.end_ms
            report.days_built += 1
            day += dt.timedelta(days=1)
        report.entries_written += epg.insert_entries(session, channel.id, entries)
        return planned


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a planning pass: a week's pass makes a few hundred
    thousand short-lived tuples, and the collector scanning them again and again took an
    eighth of the pass (bench/schedule.py). Nothing the pass makes is cyclic; what other
    threads leave meanwhile is collected when it ends. (A pass that finds the collector
    already paused leaves it so.)"""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def range_filter(oldest: str, newest: str) -> Callable[[dict[str, str]], dict[str, str]]:
    return lambda days: {d: fp for d, fp in days.items() if oldest <= d <= newest}
