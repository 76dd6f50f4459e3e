"""Keeps both tiers of every active channel planned ahead and trims old history.

The EPG tier (programme slots and their break positions) is planned `epg_days` ahead; the
playlog tier (every event with its spots) `horizon_hours` ahead, laid out from the EPG tier a
whole broadcast day at a time as the day comes into range. A change re-plans from the first
guide entry that has not started, on the days whose configuration changed and after.

Each channel is read and planned first, then written in a short transaction of its own that
checks the channel's plan marks still stand (another orchestrator may have written it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, fields
from typing import Any, Final

from sqlalchemy import false, text, update
from sqlalchemy.orm import Session

from retrovue.infra.db import Database
from retrovue.schedule_manager import bulk, epg, playlog, tiers
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

# How soon, during a planning pass, a thread waiting for the interpreter gets it (Python's
# default is 5 ms): see `quick_switches`.
SWITCH_INTERVAL_S: Final = 0.0005

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
    channels_locked: int = 0  # held by another orchestrator, or written by one meanwhile
    warnings: list[str] = field(default_factory=list)

    def add(self, other: PlanReport) -> None:
        """Count what `other` (one channel's plan, once written) did into this report."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.warnings += other.warnings


COUNTS: Final = tuple(f.name for f in fields(PlanReport) if f.name != "warnings")


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
        with collector_paused(), quick_switches():
            return self._run_once(now)

    def _run_once(self, now: dt.datetime) -> PlanReport:
        report = PlanReport()
        with self.db.reading() as session:
            channels = [c for c in load_channels(session) if c.kind == "linear"]
            catalog_fp = catalog_fingerprint(session)
        with ChannelWriter(threaded=self.db.threads_share_data) as writer:
            for channel in channels:
                with self.db.reading() as session:
                    plan = self._plan_channel(session, channel, now, catalog_fp)
                if plan is not None:
                    writer.submit(self._write, plan)
            for written in writer.results():
                if written is None:
                    report.channels_locked += 1
                else:
                    report.add(written)
        with self.db.transaction() as session:
            if self._lock(session, 0):
                cutoff = to_ms(now) - self.retention_ms
                report.events_trimmed = tiers.delete_before(session, playlog.EVENTS, cutoff)
                tiers.delete_before(session, epg.ENTRIES, cutoff)
                if report.events_trimmed:
                    playlog.bump_revision(session)
        return report

    def _lock(self, session: Session, key: int) -> bool:
        """One orchestrator per channel at a time, until commit. PostgreSQL: an advisory
        lock (False: another orchestrator has the channel). SQLite: the database's own write
        lock, taken now by a write that changes nothing (other writers wait for it), so what
        the transaction checks next cannot change before it commits."""
        if self.db.dialect != "postgresql":
            settings = playlog.SETTINGS
            session.execute(update(settings).where(false()).values(value=settings.c.value))
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
        self, session: Session, channel: ChannelConfig, now: dt.datetime, catalog_fp: str
    ) -> ChannelPlan | None:
        """What the channel needs written (None: nothing), read and planned without a write."""
        marks_read = playlog.marks_token(session, channel.id)  # first: the write checks it
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
        plan = ChannelPlan(channel, marks_read)
        if dirty is not None:
            plan.snapshots = playlog.load_snapshots(session, channel.id)
            for key in (playlog.PLAN_KEY, playlog.FILL_KEY):
                plan.snapshots.pop(key, None)
            self._plan_epg(session, plan, now_ms, dirty, last, templates, blocks, catalog_fp)
            for day in templates:
                if day >= dirty:
                    planned[day.isoformat()] = fingerprints[day]
                    laid.pop(day.isoformat(), None)
        planner: ChannelPlanner | None = None
        after: int | None = None
        day = first
        while day <= laid_last:
            iso = day.isoformat()
            if laid.get(iso) != planned.get(iso):
                if planner is None:
                    planner = self.planning(session, catalog_fp).planner(channel)
                    after = tiers.last_end(session, playlog.EVENTS, channel.id, plan.cut_ms)
                entries = plan.days.get(day)
                if entries is None:
                    entries = epg.entries_of_day(session, channel.id, day)
                # The whole day is laid out from its first entry, so its spots come out the
                # same whenever it is done; only events from the playlog's end on are kept.
                laid_out = planner.lay(day, entries)
                if after is not None:
                    laid_out = [e for e in laid_out if e.start_ms >= after]
                if laid_out:
                    after = laid_out[-1].end_ms
                plan.events += laid_out
                laid[iso] = planned[iso]
                plan.report.days_laid += 1
            day += dt.timedelta(days=1)
        if dirty is None and not plan.report.days_laid:
            return None
        oldest = (first - dt.timedelta(days=KEEP_SNAPSHOT_DAYS)).isoformat()
        keep = range_filter(oldest, last.isoformat())
        plan.snapshots[playlog.PLAN_KEY] = keep(planned)
        plan.snapshots[playlog.FILL_KEY] = keep(laid)
        guide = epg.entry_rows(channel.id, plan.entries)
        events = playlog.event_rows(channel.id, plan.events)
        states = playlog.snapshot_rows(channel.id, plan.snapshots, plan.snapshots.keys())
        plan.rows = [
            bulk.prepare(session, epg.ENTRIES, epg.COLUMNS, guide),
            bulk.prepare(session, playlog.EVENTS, playlog.COLUMNS, events),
            bulk.prepare(session, playlog.CURSORS, playlog.CURSOR_COLUMNS, states),
        ]
        plan.report.events_written = len(plan.events)
        plan.report.channels_planned = 1
        return plan

    def _plan_epg(
        self,
        session: Session,
        plan: ChannelPlan,
        now_ms: int,
        dirty: dt.date,
        last: dt.date,
        templates: dict[dt.date, int | None],
        blocks: dict[int, list[Block]],
        catalog_fp: str,
    ) -> None:
        """Re-plan the EPG tier from the first entry of `dirty` or after that has not started;
        the playlog from that point goes too (it is laid out again from the new entries).
        Each day planned goes into `plan.days`, as it will read once written."""
        channel, report = plan.channel, plan.report
        clock = channel.clock
        day_start = clock.day_start_ms(dirty)
        cut = max(day_start, now_ms)
        cut = plan.cut_ms = epg.end_covering(session, channel.id, cut) or cut
        previous_end = tiers.last_end(session, epg.ENTRIES, channel.id, cut)
        carry = day_start
        if previous_end is not None and previous_end >= day_start:
            carry = previous_end
        # What the day already aired is replayed into its orders, so a mid-day re-plan goes on
        # with the next episode instead of starting the day's sequence (and reruns) again.
        aired = epg.aired_programs(session, channel.id, dirty, carry)
        kept = [] if cut == day_start else epg.entries_of_day(session, channel.id, dirty, cut)
        planner = self.planning(session, catalog_fp).planner(channel)
        # The book each day leaves is the one the next day starts from (as `book_before`
        # would read it back from the snapshots `record_day` keeps).
        book = book_before(plan.snapshots, dirty)
        day = dirty
        while day <= last:
            template_id = templates[day]
            day_blocks = blocks[template_id] if template_id else None
            planned = planner.plan_day(day, day_blocks, book, carry, aired if day == dirty else ())
            record_day(plan.snapshots, book, day)
            plan.entries += planned.entries
            report.warnings.extend(
                f"channel {channel.number}, {day}: {w}" for w in planned.warnings
            )
            plan.days[day] = kept + planned.entries if day == dirty else planned.entries
            carry = planned.end_ms
            report.days_built += 1
            day += dt.timedelta(days=1)
        report.entries_written = len(plan.entries)

    def _write(self, plan: ChannelPlan) -> PlanReport | None:
        """Write one channel's plan in one transaction; None when another orchestrator holds
        the channel or has written it since it was read (its plan marks moved)."""
        channel_id = plan.channel.id
        with self.db.transaction() as session:
            if not self._lock(session, channel_id):
                return None
            if playlog.marks_token(session, channel_id) != plan.marks:
                return None
            if plan.cut_ms is not None:
                tiers.delete_from(session, epg.ENTRIES, channel_id, plan.cut_ms)
                replaced = tiers.delete_from(session, playlog.EVENTS, channel_id, plan.cut_ms)
                plan.report.events_replaced = replaced
            playlog.delete_snapshots(session, channel_id, plan.snapshots.keys())
            for rows in plan.rows:
                bulk.write(session, rows)
            playlog.bump_revision(session)
        log.info("channel %s: %s guide entries and %s events written", plan.channel.number,
                 len(plan.entries), len(plan.events))  # fmt: skip
        return plan.report


@dataclass
class ChannelPlan:
    """One channel's planning pass: read and planned first, then written in a transaction of
    its own while the next channel is planned."""

    channel: ChannelConfig
    marks: tuple[Any, ...]  # the channel's plan marks as read: the write checks they stand
    cut_ms: int | None = None  # re-planned from here: both tiers' rows from it are replaced
    entries: list[GuideEntry] = field(default_factory=list)
    days: dict[dt.date, list[GuideEntry]] = field(default_factory=dict)  # whole days planned
    events: list[Event] = field(default_factory=list)
    snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Both tiers' rows and the snapshots', ready to write.
    rows: list[bulk.Rows] = field(default_factory=list)
    report: PlanReport = field(default_factory=lambda: PlanReport())


class ChannelWriter:
    """Runs channel writes in submission order in a thread of their own, while the next
    channel is planned: the database checks and indexes one channel's rows (PostgreSQL's
    server, or SQLite inside one statement that runs without the interpreter: see
    `bulk.prepare`) as Python plans the next. At most two writes wait, so plans do not pile
    up. Not `threaded` (an in-memory SQLite database is one per thread), each write runs at
    once. `results` gives every write's outcome, then raises the first write's error."""

    PENDING = 2

    def __init__(self, threaded: bool = True) -> None:
        self._pool = ThreadPoolExecutor(1, "retrovue-plan-writer") if threaded else None
        self._futures: list[Future[PlanReport | None]] = []

    def __enter__(self) -> ChannelWriter:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if kind is not None:  # planning failed: say what the writes still waiting did
            for future in self._futures:
                if future.exception() is not None:
                    log.error("a channel's write failed too: %s", future.exception())

    def submit(self, write: Callable[[ChannelPlan], PlanReport | None], plan: ChannelPlan) -> None:
        if self._pool is None:
            done: Future[PlanReport | None] = Future()
            try:
                done.set_result(write(plan))
            except Exception as error:  # handed on by `results`, as a thread's error is
                done.set_exception(error)
            self._futures.append(done)
            return
        waiting = [f for f in self._futures if not f.done()]
        if len(waiting) >= self.PENDING:
            wait(waiting[:1])
        self._futures.append(self._pool.submit(write, plan))

    def results(self) -> Iterator[PlanReport | None]:
        failed: BaseException | None = None
        for future in self._futures:
            error = future.exception()
            if error is None:
                yield future.result()
            elif failed is None:
                failed = error
            else:
                log.error("a channel's write failed too: %s", error)
        if failed is not None:
            raise failed


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a planning pass: a week's pass makes a few hundred
    thousand short-lived tuples, and the collector scanning them again and again took an
    eighth of the pass (bench/schedule.py). The pause is the whole process's (the station's
    other threads too) for the pass's few seconds; the few cycles made meanwhile (sessions,
    caught errors) are collected when it ends. A pass that finds the collector already
    paused leaves it so."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextlib.contextmanager
def quick_switches() -> Iterator[None]:
    """Threads take turns at the interpreter every `SWITCH_INTERVAL_S` during a pass.

    The writer thread's statements are short, and each gives the interpreter up while the
    database runs it; it gets it back only when the planning thread lets go, at the switch
    interval. At Python's 5 ms, a pass's few statements per channel kept the writer waiting so
    long that planning waited for it (SQLite, bench/schedule.py's pass: 1.6 s of 4.5 s); at
    0.5 ms the pass took 3.1 to 3.9 s. The station's playout threads wait less for the
    interpreter meanwhile too. Like `collector_paused`, the setting is the whole process's
    for the pass; a pass that finds it as short or shorter leaves it so."""
    before = sys.getswitchinterval()
    if before <= SWITCH_INTERVAL_S:
        yield
        return
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def range_filter(oldest: str, newest: str) -> Callable[[dict[str, str]], dict[str, str]]:
    return lambda days: {d: fp for d, fp in days.items() if oldest <= d <= newest}
