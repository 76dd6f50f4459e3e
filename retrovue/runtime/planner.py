"""What a channel airs at an instant: the schedule's item, gated again, or a card instead."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal, Protocol

import av

from retrovue.errors import RetroVueError
from retrovue.runtime.asrun_logger import Status
from retrovue.runtime.gating import GatingWatch, gate, probe_audio
from retrovue.runtime.renditions.shelf import Rendition
from retrovue.schedule_manager.airing import Airing, ScheduledItem

log = logging.getLogger(__name__)

CACHE_AHEAD = dt.timedelta(hours=1)
REFRESH_EVERY = dt.timedelta(seconds=60)
UNSCHEDULED_SLATE = dt.timedelta(seconds=30)
LOOKUP_RETRY = dt.timedelta(seconds=5)  # slate this long for a lookup late, then ask again
CARD_KINDS = ("slate", "black")

Action = Literal["file", "slate", "black", "emergency", "guide"]


class ScheduleReader(Protocol):
    """The read side of ScheduleService that playout uses."""

    def gating_revision(self) -> int: ...

    def what_is_airing(self, channel_number: int, at: dt.datetime) -> Airing | None: ...

    def items_between(
        self, channel_number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]: ...


@dataclass(frozen=True, slots=True)
class Slot:
    """One stretch of air: `end_utc` None means until told otherwise; `rendition` is the
    item's prepared rendition when it has a ready one (it airs from it, not transcoded)."""

    action: Action
    start_utc: dt.datetime
    end_utc: dt.datetime | None
    item: ScheduledItem | None = None
    offset_s: float = 0.0
    has_audio: bool = True
    status: Status = "aired"
    reason: str | None = None
    rendition: Rendition | None = None


class Planner:
    """Asks the schedule (fresh when it can, cached ahead when the database is down).

    A cached verdict serves only while it is as new as the newest gating revision the
    station has seen: after a withdrawal it could know of, a cached item airs as slate until
    the database answers again.
    """

    def __init__(
        self, schedule: ScheduleReader, channel_number: int, watch: GatingWatch | None = None
    ) -> None:
        self._schedule = schedule
        self._channel = channel_number
        self._watch = watch or GatingWatch()
        self._cache: list[ScheduledItem] = []
        self._cached_at: dt.datetime | None = None
        self._cache_revision = 0

    def _refresh(self, at: dt.datetime) -> None:
        stale = (
            self._cached_at is None
            or at - self._cached_at >= REFRESH_EVERY
            or self._cache_revision < self._watch.known
        )
        if not stale:
            return
        try:
            revision = self._schedule.gating_revision()  # read first: the items are as new
            self._cache = self._schedule.items_between(self._channel, at, at + CACHE_AHEAD)
            self._cached_at = at
            self._cache_revision = revision
            self._watch.saw(revision)
        except RetroVueError as error:
            log.warning("channel %s plays from its cached horizon: %s", self._channel, error)

    def _cached_item(self, at: dt.datetime) -> ScheduledItem | None:
        for item in self._cache:
            if item.start_utc <= at < item.end_utc:
                return item
        return None

    def _item_at(self, at: dt.datetime) -> tuple[ScheduledItem | None, str | None]:
        """The item at `at`, and why it may not air when only a stale verdict is at hand."""
        self._refresh(at)
        try:
            airing = self._schedule.what_is_airing(self._channel, at)
        except RetroVueError as error:
            log.warning("channel %s: schedule unreadable, using cache: %s", self._channel, error)
            item = self._cached_item(at)
            stale = self._cache_revision < self._watch.known
            if item is not None and item.asset_id is not None and stale:
                return item, (
                    "approval not confirmed: the database is unreachable and the catalog "
                    "changed after this schedule was read"
                )
            return item, None
        return (None if airing is None else airing.item), None

    def slot_at(self, at: dt.datetime) -> Slot:
        """What airs from `at` until the end of the item airing then."""
        item, stale = self._item_at(at)
        if item is not None and stale is not None:
            return Slot("slate", at, item.end_utc, item, status="substituted", reason=stale)
        if item is None:
            upcoming = [i.start_utc for i in self._cache if i.start_utc > at]
            end = min(upcoming, default=at + UNSCHEDULED_SLATE)
            return Slot("slate", at, end, status="substituted", reason="nothing scheduled")
        if item.kind in CARD_KINDS:
            return Slot("slate" if item.kind == "slate" else "black", at, item.end_utc, item)
        refusal = gate(item)
        if refusal is not None:
            return Slot("slate", at, item.end_utc, item, status="substituted", reason=refusal)
        assert item.file_path is not None
        try:
            has_audio = probe_audio(item.file_path)
        except (av.FFmpegError, OSError, ValueError) as error:
            reason = f"file unreadable: {item.file_path}: {error}"
            return Slot("slate", at, item.end_utc, item, status="substituted", reason=reason)
        offset = (item.in_point_ms + max((at - item.start_utc).total_seconds() * 1000, 0)) / 1000
        return Slot("file", at, item.end_utc, item, offset_s=offset, has_audio=has_audio)


class GuidePlan:
    """A guide channel's air: the guide, in hour-long slots (XMLTV lists one an hour)."""

    def slot_at(self, at: dt.datetime) -> Slot:
        hour = at.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        return Slot("guide", at, hour)


class SlotsAhead:
    """Resolves slots on a worker thread, so a slow database or file server never stalls the
    thread that calls: a slot not resolved in time airs as slate while the lookup goes on."""

    def __init__(
        self, resolve: Callable[[dt.datetime], Slot], name: str, worker: Executor | None = None
    ) -> None:
        self._resolve = resolve
        self._worker = worker or ThreadPoolExecutor(1, thread_name_prefix=name)
        self._pending: tuple[dt.datetime, Future[Slot]] | None = None

    def request(self, at: dt.datetime) -> Future[Slot]:
        """Start resolving the slot from `at` (once); a lookup for another instant is dropped."""
        if self._pending is not None and self._pending[0] == at:
            return self._pending[1]
        self.cancel()
        future = self._worker.submit(self._resolve, at)
        self._pending = (at, future)
        return future

    def ready(self, at: dt.datetime) -> bool:
        return self.request(at).done()

    def slot_at(self, at: dt.datetime, wait: float) -> Slot:
        """The slot from `at`, or slate for a short while when it is not known within `wait`."""
        future = self.request(at)
        try:
            slot = future.result(timeout=wait)
        except TimeoutError:
            log.warning("schedule lookup for %s took over %.1f s: slate", at, wait)
            reason = f"schedule lookup took over {wait:.1f} s"
            return Slot("slate", at, at + LOOKUP_RETRY, status="substituted", reason=reason)
        except Exception as error:
            log.exception("schedule lookup for %s failed: slate", at)
            reason = f"schedule lookup failed: {error}"
            slot = Slot("slate", at, at + LOOKUP_RETRY, status="substituted", reason=reason)
        self._pending = None
        return slot

    def cancel(self) -> None:
        """Forget the pending lookup (one already running finishes unheard)."""
        if self._pending is not None:
            self._pending[1].cancel()
            self._pending = None

    def close(self) -> None:
        self.cancel()
        self._worker.shutdown(wait=False, cancel_futures=True)
