"""Schedule windows from memory: a channel's items read in fixed blocks, kept while the guide
token stands (planning moves it whenever it changes the playlog)."""

from __future__ import annotations

import collections
import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Final

from retrovue.runtime.clients.context import ScheduleReader
from retrovue.schedule_manager.airing import ScheduledItem

BLOCK: Final = dt.timedelta(hours=6)
EPOCH: Final = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
MAX_BLOCKS: Final = 1024  # about a week of blocks for forty channels
TOKEN_FRESH_S: Final = 1.0  # the guide token is asked again once this old


class WindowCache:
    """`items(number, start, end)` as `items_between` answers it, read once per block."""

    def __init__(
        self,
        schedule: ScheduleReader,
        monotonic: Callable[[], float] = time.monotonic,
        max_blocks: int = MAX_BLOCKS,
        *,
        guide: bool = False,
    ) -> None:
        """`guide`: read the guide's entries (the EPG tier) instead of the playlog's events."""
        self._schedule = schedule
        self._between = schedule.guide_between if guide else schedule.items_between
        self._monotonic = monotonic
        self._max_blocks = max_blocks
        self._blocks: collections.OrderedDict[tuple[int, int], list[ScheduledItem]] = (
            collections.OrderedDict()
        )
        self._token: tuple[int, int] | None = None
        self._token_at = float("-inf")
        self._lock = threading.Lock()
        self.reads = 0  # blocks read from the schedule (what the cache saved is the rest)
        self.generation = 0  # moves with the guide token: what was built from blocks is stale

    def current(self) -> int:
        """The generation now, after asking for the guide token if it is due."""
        self._check_token()
        return self.generation

    def items(self, number: int, start: dt.datetime, end: dt.datetime) -> list[ScheduledItem]:
        """Events overlapping [start, end), ordered by start."""
        self._check_token()
        first = (start - EPOCH) // BLOCK
        last = (end - EPOCH - dt.timedelta(microseconds=1)) // BLOCK
        found: dict[int, ScheduledItem] = {}
        for index in range(first, last + 1):
            for item in self._block(number, index):
                found[item.event_id] = item
        inside = (i for i in found.values() if i.end_utc > start and i.start_utc < end)
        return sorted(inside, key=lambda i: (i.start_utc, i.event_id))

    def _check_token(self) -> None:
        now = self._monotonic()
        with self._lock:
            if now - self._token_at < TOKEN_FRESH_S:
                return
        token = self._schedule.guide_token()
        with self._lock:
            self._token_at = now
            if token != self._token:
                self._token = token
                self._blocks.clear()
                self.generation += 1

    def _block(self, number: int, index: int) -> list[ScheduledItem]:
        key = (number, index)
        with self._lock:
            cached = self._blocks.get(key)
            if cached is not None:
                self._blocks.move_to_end(key)
                return cached
            token = self._token
        start = EPOCH + index * BLOCK
        items = self._between(number, start, start + BLOCK)
        with self._lock:
            self.reads += 1
            if token != self._token:
                return items  # planning changed the playlog meanwhile: this read is not kept
            self._blocks[key] = items
            while len(self._blocks) > self._max_blocks:
                self._blocks.popitem(last=False)
        return items
