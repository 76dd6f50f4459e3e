"""Keeps a guide board current: a thread drawing what will be on air when the still airs."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from retrovue.runtime.guide.board import GuideBoard
from retrovue.runtime.guide.layout import GuideLayout
from retrovue.runtime.guide.producer import AIR_DELAY_S
from retrovue.runtime.master_clock import MasterClock

log = logging.getLogger(__name__)

Content = Callable[[dt.datetime], GuideLayout]


class GuideFeeder:
    """Every `interval_s` asks `content(at)` for the layout at `at` = now + `ahead_s` and
    refreshes the board (which draws only when the layout changed); so the clock and the
    highlight turn when the picture airs, not `ahead_s` late. A failing `content` (the
    database away) keeps the last still on air, warned once until it recovers."""

    def __init__(
        self,
        board: GuideBoard,
        clock: MasterClock,
        content: Content,
        ahead_s: float = AIR_DELAY_S,
        interval_s: float = 1.0,
    ) -> None:
        self.board = board
        self._clock = clock
        self._content = content
        self._ahead = dt.timedelta(seconds=ahead_s)
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="guide feeder", daemon=True)
        self._failing = False

    def start(self) -> None:
        """Draw the first still now (a producer may start on it at once), then keep it."""
        self.tick()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5.0)

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.tick()

    def tick(self) -> bool:
        """One refresh; True when it drew a new still."""
        try:
            drew = self.board.refresh(self._content(self._clock.now() + self._ahead))
        except Exception as error:  # any failure: the guide keeps its last still on air
            if not self._failing:
                log.warning("guide not refreshed, the last still stays on air: %s", error)
            self._failing = True
            return False
        if self._failing:
            log.info("guide refreshed again")
        self._failing = False
        return drew
