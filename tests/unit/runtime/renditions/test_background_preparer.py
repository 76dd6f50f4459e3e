"""The serving station's preparer: soonest first, once each, never beside live transcodes."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from pathlib import Path

from retrovue.errors import MediaError
from retrovue.runtime.renditions.background import BackgroundPreparer
from retrovue.runtime.renditions.maker import Made, Planned, Progress
from retrovue.runtime.renditions.prepare import Outcome
from retrovue.schedule_manager.renditions import DueAsset

T0 = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC)


def _planned(n: int) -> Planned:
    asset = DueAsset(n, f"item {n}", f"/media/{n}.mkv", None, 60_000, T0, ())
    return Planned(asset, f"f1:{n}", True, f"r1-{n}")


class FakePreparer:
    """Items due in order; `prepare` records each call and can be told to fail or hold."""

    def __init__(self, items: list[Planned], failing: frozenset[int] = frozenset()) -> None:
        self.items = items
        self.failing = failing
        self.made: list[int] = []
        self.tried: list[int] = []
        self.hold: threading.Event | None = None
        self.lock = threading.Lock()

    def pending(
        self, hours: float, retry_failed: bool = True
    ) -> tuple[list[Planned], int, list[tuple[DueAsset, str]]]:
        with self.lock:
            return [p for p in self.items if p.asset.asset_id not in self.made], 0, []

    def prepare(
        self,
        planned: Planned,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> Outcome:
        n = planned.asset.asset_id
        with self.lock:
            self.tried.append(n)
        if self.hold is not None and stop is not None:
            while not stop.wait(0.01):
                pass
            return Outcome(None)
        if n in self.failing:
            raise MediaError(f"file unreadable: /media/{n}.mkv")
        with self.lock:
            self.made.append(n)
        return Outcome(Made(planned, Path(f"/r/{planned.key}.ts"), 1))


def _until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_no_item_starts_while_live_transcodes_run_nor_until_they_have_been_gone_a_while() -> None:
    fake = FakePreparer([_planned(1)])
    live = threading.Event()
    live.set()
    worker = BackgroundPreparer(fake, 48, 1, live.is_set, idle_s=0.5, poll_s=0.02, rest_s=0.05)
    worker.start()
    try:
        time.sleep(0.7)
        assert fake.tried == [], "nothing starts beside a live transcode"
        live.clear()
        gone = time.monotonic()
        assert _until(lambda: fake.made == [1])
        assert time.monotonic() - gone >= 0.45, (
            "it waited (to within a poll) for the CPU to stay free"
        )
    finally:
        worker.stop()


def test_workers_make_every_due_item_once_soonest_first() -> None:
    fake = FakePreparer([_planned(n) for n in range(1, 7)])
    worker = BackgroundPreparer(fake, 48, 2, lambda: False, idle_s=0, poll_s=0.01, rest_s=0.05)
    worker.start()
    try:
        assert _until(lambda: len(fake.made) == 6)
        time.sleep(0.2)
    finally:
        worker.stop()
    assert sorted(fake.tried) == [1, 2, 3, 4, 5, 6], "each once"
    assert fake.tried[:2] in ([1, 2], [2, 1])
    assert worker.made == 6


def test_an_item_that_failed_is_not_tried_again_at_once() -> None:
    fake = FakePreparer([_planned(1), _planned(2)], failing=frozenset({1}))
    worker = BackgroundPreparer(fake, 48, 1, lambda: False, idle_s=0, poll_s=0.01, rest_s=0.02)
    worker.start()
    try:
        assert _until(lambda: fake.made == [2])
        time.sleep(0.3)  # many rests and readings of the window
    finally:
        worker.stop()
    assert fake.tried.count(1) == 1


def test_stopping_abandons_the_item_being_made_at_once() -> None:
    fake = FakePreparer([_planned(1)])
    fake.hold = threading.Event()
    worker = BackgroundPreparer(fake, 48, 1, lambda: False, idle_s=0, poll_s=0.01)
    worker.start()
    assert _until(lambda: fake.tried == [1])
    started = time.monotonic()
    worker.stop()
    assert time.monotonic() - started < 1.0
    assert fake.made == [] and worker.made == 0
