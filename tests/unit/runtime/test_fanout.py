"""Fan-out: a bounded backlog per viewer, a lagging viewer dropped alone, GOP-first tune-in."""

from __future__ import annotations

import asyncio
import datetime as dt

from retrovue.runtime.fanout import Fanout, Viewer
from retrovue.runtime.master_clock import FakeClock
from retrovue.runtime.muxer import Chunk

EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_a_viewer_is_dropped_once_its_oldest_unsent_bytes_are_older_than_the_limit() -> None:
    clock = FakeClock(EPOCH)
    viewer = Viewer(max_lag_s=4.0, monotonic=clock.monotonic)
    assert viewer.offer(b"a")
    clock.advance(3.9)
    assert viewer.offer(b"b")
    assert viewer.lag_s() == 3.9
    clock.advance(0.2)
    assert not viewer.offer(b"c")
    assert viewer.dropped
    assert viewer.backlog_bytes == 0


def test_a_viewer_that_keeps_up_is_never_dropped_however_long_it_watches() -> None:
    clock = FakeClock(EPOCH)
    viewer = Viewer(max_lag_s=4.0, monotonic=clock.monotonic)
    for _ in range(1000):
        assert viewer.offer(b"x" * 188)
        clock.advance(0.033)
        assert viewer.take() == b"x" * 188
    assert not viewer.dropped


def test_a_viewer_never_holds_more_than_its_byte_bound() -> None:
    viewer = Viewer(max_lag_s=60.0, max_bytes=1000, monotonic=FakeClock(EPOCH).monotonic)
    assert viewer.offer(b"x" * 600)
    assert not viewer.offer(b"x" * 600)
    assert viewer.dropped


def test_a_lagging_viewer_is_dropped_while_the_others_keep_everything() -> None:
    clock = FakeClock(EPOCH)
    fanout = Fanout(max_lag_s=2.0, monotonic=clock.monotonic)
    slow, fast = fanout.subscribe(), fanout.subscribe()
    lagged: list[str] = []
    slow.on_lag = lambda: lagged.append("slow")
    received = b""
    for index in range(100):
        fanout.publish([Chunk(bytes([index % 256]))])
        received += fast.take()
        clock.advance(0.1)
    assert lagged == ["slow"]
    assert slow.dropped and not fast.dropped
    assert len(fanout) == 1 and fanout.dropped_viewers == 1
    assert received == bytes(range(100))


def test_a_new_viewer_starts_on_the_last_keyframe() -> None:
    fanout = Fanout(monotonic=FakeClock(EPOCH).monotonic)
    fanout.publish([Chunk(b"P0"), Chunk(b"K1", keyframe_pts=1), Chunk(b"P1")])
    fanout.publish([Chunk(b"P2")])
    assert fanout.subscribe().take() == b"K1P1P2"
    fanout.publish([Chunk(b"K2", keyframe_pts=2)])
    assert fanout.subscribe().take() == b"K2"


def test_chunks_end_when_the_viewer_is_dropped_and_batch_what_waited() -> None:
    async def scenario() -> list[bytes]:
        viewer = Viewer(monotonic=FakeClock(EPOCH).monotonic)
        viewer.offer(b"ab")
        viewer.offer(b"cd")
        got = []
        async for data in viewer.chunks():
            got.append(data)
            viewer.offer(b"ef")
            if len(got) == 2:
                viewer.drop()
        return got

    assert asyncio.run(scenario()) == [b"abcd", b"ef"]
