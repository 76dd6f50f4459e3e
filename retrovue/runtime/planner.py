"""What a channel airs at an instant: the schedule's item, gated again, or a card instead."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal, Protocol

import av
from sqlalchemy.exc import SQLAlchemyError

from retrovue.errors import RetroVueError
from retrovue.runtime.asrun_logger import Status
from retrovue.schedule_manager.airing import Airing, ScheduledItem

log = logging.getLogger(__name__)

CACHE_AHEAD = dt.timedelta(hours=1)
REFRESH_EVERY = dt.timedelta(seconds=60)
UNSCHEDULED_SLATE = dt.timedelta(seconds=30)
LOOKUP_RETRY = dt.timedelta(seconds=5)  # slate this long for a lookup late, then ask again
CARD_KINDS = ("slate", "black")

Action = Literal["file", "slate", "black", "emergency"]


class ScheduleReader(Protocol):
    """The read side of ScheduleService that playout uses."""

    def what_is_airing(self, channel_number: int, at: dt.datetime) -> Airing | None: ...

    def items_between(
        self, channel_number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]: ...


@dataclass(frozen=True, slots=True)
class Slot:
    """One stretch of air: `end_utc` None means until told otherwise."""

    action: Action
    start_utc: dt.datetime
    end_utc: dt.datetime | None
    item: ScheduledItem | None = None
    offset_s: float = 0.0
    has_audio: bool = True
    status: Status = "aired"
    reason: str | None = None


def probe_audio(path: str) -> bool:
    """Whether `path` opens as media with video; returns if it has audio. Raises on bad media."""
    with av.open(path, options={"probesize": "1000000"}) as container:
        if not container.streams.video:
            raise ValueError("no video stream")
        return bool(container.streams.audio)


class Planner:
    """Asks the schedule (fresh when it can, cached ahead when the database is down)."""

    def __init__(self, schedule: ScheduleReader, channel_number: int) -> None:
        self._schedule = schedule
        self._channel = channel_number
        self._cache: list[ScheduledItem] = []
        self._cached_at: dt.datetime | None = None

    def _refresh(self, at: dt.datetime) -> None:
        stale = self._cached_at is None or at - self._cached_at >= REFRESH_EVERY
        if not stale:
            return
        try:
            self._cache = self._schedule.items_between(self._channel, at, at + CACHE_AHEAD)
            self._cached_at = at
        except (RetroVueError, SQLAlchemyError) as error:
            log.warning("channel %s plays from its cached horizon: %s", self._channel, error)

    def _cached_item(self, at: dt.datetime) -> ScheduledItem | None:
        for item in self._cache:
            if item.start_utc <= at < item.end_utc:
                return item
        return None

    def _item_at(self, at: dt.datetime) -> ScheduledItem | None:
        self._refresh(at)
        try:
            airing = self._schedule.what_is_airing(self._channel, at)
        except (RetroVueError, SQLAlchemyError) as error:
            log.warning("channel %s: schedule unreadable, using cache: %s", self._channel, error)
            return self._cached_item(at)
        return None if airing is None else airing.item

    def slot_at(self, at: dt.datetime) -> Slot:
        """What airs from `at` until the end of the item airing then."""
        item = self._item_at(at)
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


class SlotsAhead:
    """Resolves slots on a worker thread, so a slow database or file server never stalls the
    thread that calls: a slot not resolved in time airs as slate while the lookup goes on."""

    def __init__(self, resolve: Callable[[dt.datetime], Slot], name: str) -> None:
        self._resolve = resolve
        self._worker = ThreadPoolExecutor(1, thread_name_prefix=name)
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


def gate(item: ScheduledItem) -> str | None:
    """Why `item` may not air (canonical gating, availability, a readable file), or None."""
    if item.asset_id is None or item.file_path is None:
        return f"event {item.event_id} has no asset to play"
    if not item.canonical:
        return f"asset {item.asset_id} is not canonical"
    if not item.available:
        return f"asset {item.asset_id} is unavailable"
    try:  # the file may go between any two looks at it
        if not os.access(item.file_path, os.R_OK):
            return f"file missing or unreadable: {item.file_path}"
        if os.path.getsize(item.file_path) == 0:
            return f"file is empty: {item.file_path}"
    except OSError as error:
        return f"file missing or unreadable: {item.file_path}: {error.strerror or error}"
    return None
