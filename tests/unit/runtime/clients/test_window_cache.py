"""Schedule windows served from blocks in memory: the same answer, far fewer reads."""

from __future__ import annotations

import datetime as dt

from client_fakes import NOW, FakeSchedule

from retrovue.runtime.clients.window_cache import WindowCache
from retrovue.schedule_manager.airing import ScheduledItem


class CountingSchedule(FakeSchedule):
    """The fake schedule, counting the reads that reach it."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.token_reads = 0

    def guide_token(self) -> tuple[int, int]:
        self.token_reads += 1
        return self.token

    def items_between(
        self, channel_number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]:
        self.reads += 1
        return super().items_between(channel_number, start, end)

    guide_between = items_between  # the fake keeps one tier for both


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def titles(items: list[ScheduledItem]) -> list[str | None]:
    return [i.title for i in items]


def test_windows_from_the_cache_match_the_schedule_across_block_edges() -> None:
    schedule = CountingSchedule()
    cache = WindowCache(schedule)
    base = NOW.replace(minute=0)
    for start_m, span_m in ((-20, 45), (0, 30), (15, 1), (50, 24 * 60), (-600, 30), (5, 239)):
        start = base + dt.timedelta(minutes=start_m)
        end = start + dt.timedelta(minutes=span_m)
        expected = FakeSchedule().items_between(2, start, end)
        assert titles(cache.items(2, start, end)) == titles(expected), (start_m, span_m)


def test_a_window_asked_again_is_not_read_again_until_the_guide_token_moves() -> None:
    schedule = CountingSchedule()
    ticks = Ticks()
    cache = WindowCache(schedule, monotonic=ticks)
    start, end = NOW, NOW + dt.timedelta(hours=3)
    first = cache.items(2, start, end)
    reads = schedule.reads
    for _ in range(50):
        assert cache.items(2, start, end) == first
    assert schedule.reads == reads
    assert schedule.token_reads == 1  # asked at most once a second
    schedule.token = (2, 1)  # planning changed the playlog
    ticks.now += 1.5
    cache.items(2, start, end)
    assert schedule.reads == 2 * reads


def test_the_cache_keeps_a_bounded_number_of_blocks() -> None:
    schedule = CountingSchedule()
    cache = WindowCache(schedule, max_blocks=4)
    for day in range(10):
        at = NOW + dt.timedelta(days=day)
        cache.items(2, at, at + dt.timedelta(hours=1))
    reads = schedule.reads
    cache.items(2, NOW, NOW + dt.timedelta(hours=1))  # long since evicted
    assert schedule.reads == reads + 1
