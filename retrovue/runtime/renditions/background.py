"""The serving station's preparer: renditions made at idle priority, yielding to live work.

Each worker takes the soonest item without a rendition and makes it with ffmpeg at the
lowest priority. None starts a new item while `busy()` says live transcodes are running, nor
until they have been gone a while (a viewer zapping back should find the CPU free); one
already running goes on at that priority, where the scheduler gives it only the CPU the
live producers leave.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from retrovue.errors import RetroVueError
from retrovue.runtime.renditions.maker import Planned, Progress
from retrovue.runtime.renditions.prepare import Outcome
from retrovue.schedule_manager.renditions import DueAsset

log = logging.getLogger(__name__)

IDLE_PRIORITY = 19
REFRESH_S = 300.0  # how often the window is read again while there is work
RESTING_S = 60.0  # how long a worker rests when there is nothing to make
BUSY_WAIT_S = 5.0  # how often a paused worker looks whether live work has stopped
IDLE_S = 60.0  # live work gone this long (and the station up this long) before an item starts


class ItemPreparer(Protocol):
    """What a worker asks of the `Preparer`."""

    def pending(
        self, hours: float, retry_failed: bool = True
    ) -> tuple[list[Planned], int, list[tuple[DueAsset, str]]]: ...

    def prepare(
        self,
        planned: Planned,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> Outcome: ...


class BackgroundPreparer:
    """`workers` threads preparing what airs in the next `hours`, until `stop()`."""

    def __init__(
        self,
        preparer: ItemPreparer,
        hours: float,
        workers: int,
        busy: Callable[[], bool],
        monotonic: Callable[[], float] = time.monotonic,
        idle_s: float = IDLE_S,
        poll_s: float = BUSY_WAIT_S,
        rest_s: float = RESTING_S,
    ) -> None:
        self._preparer = preparer
        self._hours = hours
        self._busy = busy
        self._monotonic = monotonic
        self._idle_s = idle_s
        self._poll_s = poll_s
        self._rest_s = rest_s
        self._busy_at = monotonic()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._queue: list[Planned] = []
        self._read_at: float | None = None
        self._working: set[int] = set()
        # Keys that failed here: a failure is also recorded (and `pending` leaves recorded
        # ones to `retrovue-station prepare`), this covers one whose record was not written.
        self._failed: set[str] = set()
        self._full = False
        self.made = 0
        self._threads = [
            threading.Thread(target=self._work, name=f"prepare {n}", daemon=True)
            for n in range(workers)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every worker; an item being made is abandoned (its partial file removed)."""
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout)

    def _work(self) -> None:
        while not self._stop.is_set():
            busy = self._busy()
            if busy:
                self._busy_at = self._monotonic()
            if busy or self._monotonic() - self._busy_at < self._idle_s:
                self._stop.wait(self._poll_s)
                continue
            try:
                planned = self._claim()
            except RetroVueError as error:
                log.warning("renditions: the window is unreadable: %s", error)
                self._stop.wait(self._rest_s)
                continue
            if planned is None:
                self._stop.wait(self._rest_s)
                continue
            try:
                outcome = self._preparer.prepare(planned, None, self._stop)
            except RetroVueError as error:
                log.warning("rendition of %r failed: %s", planned.asset.title, error)
                with self._lock:
                    self._failed.add(planned.key)
                continue
            finally:
                with self._lock:
                    self._working.discard(planned.asset.asset_id)
            if outcome.made is not None and outcome.kept:
                self.made += 1
                log.info("rendition of %r ready", planned.asset.title)
            elif outcome.made is not None:
                with self._lock:  # what is left airs later still: rest until the window moves
                    self._full, self._queue = True, []

    def _claim(self) -> Planned | None:
        """The soonest item nobody is making, reading the window again when it is due."""
        with self._lock:
            now = self._monotonic()
            every = REFRESH_S if self._full or self._queue else self._rest_s
            if self._read_at is None or now - self._read_at >= every:
                todo, _, _ = self._preparer.pending(self._hours, retry_failed=False)
                self._queue = [p for p in todo if p.key not in self._failed]
                self._read_at, self._full = now, False
            for planned in self._queue:
                if planned.asset.asset_id not in self._working:
                    self._queue.remove(planned)
                    self._working.add(planned.asset.asset_id)
                    return planned
            return None
