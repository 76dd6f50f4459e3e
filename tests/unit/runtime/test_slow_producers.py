"""A source the machine cannot transcode in real time (4K HEVC on two cores, say): the channel
never stalls: playout rejoins the schedule twice (skipping the time lost), then airs slate for
the rest of the slot and says why; the next item airs on time."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

from playout_fakes import FRAME, T0, Item, Script, ScriptedSource, play

from retrovue.runtime.profile import TICKS_PER_SECOND
from retrovue.runtime.source import MediaPacket, SourceEnd
from retrovue.schedule_manager.asrun import AsRunEnd, AsRunStart

SPEED = 0.5  # the producer makes half a second of media per second


class SlowSource(ScriptedSource):
    """A producer that makes media at `SPEED` times real time."""

    def get(self, timeout: float) -> MediaPacket | SourceEnd | None:
        packet = super().get(timeout)
        if isinstance(packet, MediaPacket) and packet.kind == "video":
            self._clock.advance(FRAME / TICKS_PER_SECOND / SPEED)
        return packet


def _play(items: list[Item], slow: str, seconds: float, scratch: Path) -> tuple[Any, ...]:
    scripts = {item.path: [Script(120.0)] for item in items if item.path}
    run = play(items, scripts, seconds, kinds={slow: SlowSource}, scratch=scratch)
    spawned = [(spawn.label, spawn.path) for spawn in run.producers.spawns]
    return run.muxer, spawned, run.asrun


def test_a_source_slower_than_real_time_rejoins_twice_then_airs_slate_and_never_stalls(
    tmp_path: Path,
) -> None:
    items = [Item(0, 40, "uhd.mkv", 1), Item(40, 90, "next.mkv", 2)]
    muxer, spawned, written = _play(items, "uhd.mkv", 50, tmp_path)
    ticks = [sent.ts for sent in muxer.video()]
    # Never a burst: one frame after another, but where a producer is replaced for falling
    # behind the timeline skips the time lost (the channel's clock is the wall clock's).
    steps = [b - a for a, b in itertools.pairwise(ticks)]
    skips = [step for step in steps if step > 2 * FRAME]
    assert set(steps) - set(skips) <= {FRAME, 2 * FRAME}
    assert len(skips) == 3 and all(step <= 2.1 * TICKS_PER_SECOND for step in skips)
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
