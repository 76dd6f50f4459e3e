"""Keeps every active channel's playlog planned `horizon_hours` ahead and trims old history."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from retrovue.infra.db import Database
from retrovue.schedule_manager import playlog
from retrovue.schedule_manager.breaks import BreakFiller
from retrovue.schedule_manager.catalog import Catalog, catalog_fingerprint
from retrovue.schedule_manager.config import (
    ChannelConfig,
    day_fingerprint,
    load_blocks,
    load_channels,
    templates_by_day,
)
from retrovue.schedule_manager.planner import ChannelPlanner
from retrovue.schedule_manager.rules import KEEP_SNAPSHOT_DAYS, Selector, book_before, record_day
from retrovue.schedule_manager.timemath import to_ms

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
        self, db: Database, horizon_hours: float = 72.0, retention_hours: float = 48.0
    ) -> None:
        self.db = db
        self.horizon_ms = round(horizon_hours * 3_600_000)
        self.retention = dt.timedelta(hours=retention_hours)
        self._planning: tuple[str, Planning] | None = None

    def run_once(self, now: dt.datetime) -> PlanReport:
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
                report.events_trimmed = playlog.delete_before(session, now - self.retention)
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
        first, last = clock.broadcast_day(now_ms), clock.broadcast_day(now_ms + self.horizon_ms)
        templates = templates_by_day(session, channel, first, last)
        blocks = load_blocks(session, templates.values())
        fingerprints = {
            day: day_fingerprint(channel, tid, blocks.get(tid) if tid else None, catalog_fp)
            for day, tid in templates.items()
        }
        snapshots = playlog.load_snapshots(session, channel.id)
        planned = snapshots.pop(playlog.PLAN_KEY, {})
        dirty = next((d for d in templates if planned.get(d.isoformat()) != fingerprints[d]), None)
        if dirty is None:
            return
        # Never touch the past or the guide entry on air: cut after whatever covers the cut.
        day_start = clock.day_start_ms(dirty)
        cut = max(day_start, now_ms)
        cut = playlog.group_end_covering(session, channel.id, cut) or cut
        report.events_replaced += playlog.delete_from(session, channel.id, cut)
        previous_end = playlog.last_end(session, channel.id)
        carry = day_start
        if previous_end is not None and previous_end >= day_start:
            carry = previous_end
        # What the day already aired is replayed into its orders, so a mid-day re-plan goes on
        # with the next episode instead of starting the day's sequence (and reruns) again.
        aired = playlog.aired_programs(session, channel.id, dirty, carry)

        planner = self.planning(session, catalog_fp).planner(channel)
        day, written = dirty, 0
        while day <= last:
            book = book_before(snapshots, day)
            template_id = templates[day]
            day_blocks = blocks[template_id] if template_id else None
            plan = planner.plan_day(day, day_blocks, book, carry, aired if day == dirty else ())
            record_day(snapshots, book, day)
            written += playlog.insert_events(session, channel.id, plan.events)
            planned[day.isoformat()] = fingerprints[day]
            report.warnings.extend(f"channel {channel.number}, {day}: {w}" for w in plan.warnings)
            carry = plan.end_ms
            report.days_built += 1
            day += dt.timedelta(days=1)
        oldest = (first - dt.timedelta(days=KEEP_SNAPSHOT_DAYS)).isoformat()
        snapshots[playlog.PLAN_KEY] = {
            d: fp for d, fp in planned.items() if oldest <= d <= last.isoformat()
        }
        playlog.save_snapshots(session, channel.id, snapshots, snapshots.keys())
        playlog.bump_revision(session)
        report.events_written += written
        report.channels_planned += 1
        log.info("channel %s planned %s..%s: %s events", channel.number, dirty, last, written)
