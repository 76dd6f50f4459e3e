"""A source the machine cannot transcode in real time (4K HEVC on two cores, say): the channel
never stalls: playout rejoins the schedule twice, then airs slate for the rest of the slot and
says why; the next item airs on time."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from pathlib import Path
from typing import Any

from playout_fakes import (
    FRAME,
    PROFILE,
    T0,
    InlineExecutor,
    Item,
    RecordingMuxer,
    Script,
    ScriptClock,
    ScriptedSchedule,
    ScriptedSource,
)

from retrovue.runtime.asrun_logger import AsRunLogger
from retrovue.runtime.playout import PlayoutDeps, PlayoutEngine
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import TICKS_PER_SECOND
from retrovue.runtime.program_director import ProgramDirector
from retrovue.runtime.source import MediaPacket, SourceEnd
from retrovue.schedule_manager.asrun import AsRunEnd, AsRunEntry, AsRunStart

SPEED = 0.5  # the producer makes half a second of media per second


class SlowSource(ScriptedSource):
    """A producer that makes media at `SPEED` times real time."""

    def get(self, timeout: float) -> MediaPacket | SourceEnd | None:
        packet = super().get(timeout)
        if isinstance(packet, MediaPacket) and packet.kind == "video":
            self._clock.advance(FRAME / TICKS_PER_SECOND / SPEED)
        return packet


def _play(items: list[Item], slow: str, seconds: float, scratch: Path) -> tuple[Any, ...]:
    clock = ScriptClock(T0)
    spawned: list[tuple[str, str | None]] = []

    def sources(args: list[str], label: str) -> ScriptedSource:
        card = any(arg.startswith(("color=", "anullsrc")) for arg in args[:4])
        path = None if card else args[args.index("-i") + 1]
        spawned.append((label, path))
        kind = SlowSource if path == slow else ScriptedSource
        return kind(Script(120.0), label, clock)

    muxer = RecordingMuxer()
    written: list[AsRunEntry] = []
    lock = threading.Lock()

    def record(entries: Any) -> dict[int, int]:
        with lock:
            written.extend(entries)
        return {e.handle: e.handle for e in entries if isinstance(e, AsRunStart)}

    asrun = AsRunLogger(record)
    deps = PlayoutDeps(
        clock=clock, ffmpeg=None,  # type: ignore[arg-type]
        producers=ProducerFactory(PROFILE, scratch, None), profile=PROFILE,
        director=ProgramDirector(), asrun=asrun, sources=sources,
        muxers=lambda emit, name: muxer, lookups=lambda name: InlineExecutor(),
    )  # fmt: skip
    engine = PlayoutEngine(1, "Test", ScriptedSchedule(items), deps, lambda chunks: None)
    clock.at(seconds, engine._stop.set)
    engine.start()
    engine._thread.join(30)
    assert not engine._thread.is_alive(), "playout did not stop"
    asrun.close()
    return muxer, spawned, written


def test_a_source_slower_than_real_time_rejoins_twice_then_airs_slate_and_never_stalls(
    tmp_path: Path,
) -> None:
    items = [Item(0, 40, "uhd.mkv", 1), Item(40, 90, "next.mkv", 2)]
    muxer, spawned, written = _play(items, "uhd.mkv", 50, tmp_path)
    ticks = [sent.ts for sent in muxer.video()]
    # Never a stall, never a burst: at most one frame missing where a producer is replaced.
    assert {b - a for a, b in itertools.pairwise(ticks)} <= {FRAME, 2 * FRAME}
    ends = [e for e in written if isinstance(e, AsRunEnd)]
    assert [e.reason for e in ends if "behind" in (e.reason or "")] == [
        "producer fell 2.0 s behind"
    ] * 3
    starts = [e for e in written if isinstance(e, AsRunStart)]
    [slate] = [s for s in starts if s.status == "substituted"]
    assert slate.reason == "producer fell 2.0 s behind (again: slate to the slot's end)"
    assert [path for _, path in spawned][:3] == ["uhd.mkv"] * 3
    assert tuple(path for _, path in spawned[3:5]) == (None, "next.mkv")  # slate, then on time
    on_time = next(s for s in starts if s.playlog_event_id == 2)
    assert on_time.started_utc == T0 + dt.timedelta(seconds=40)
