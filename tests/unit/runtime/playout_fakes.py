"""Scripted stand-ins for playout's edges: producers, the muxer, the schedule and the clock.

They let `PlayoutEngine` run its real loop on a fake clock, as fast as the CPU allows, so a
test can assert the exact timeline it emits.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

from retrovue.runtime import channel_time
from retrovue.runtime.asrun_logger import AsRunLogger
from retrovue.runtime.master_clock import FakeClock
from retrovue.runtime.planner import Slot
from retrovue.runtime.playout import PlayoutDeps, PlayoutEngine
from retrovue.runtime.producers import SEEK_EARLY_FRAMES, ProducerFactory
from retrovue.runtime.profile import TICKS_PER_SECOND, OutputProfile
from retrovue.runtime.program_director import ProgramDirector
from retrovue.runtime.renditions.shelf import RenditionShelf
from retrovue.runtime.source import MediaPacket, SourceEnd
from retrovue.schedule_manager.airing import ScheduledItem
from retrovue.schedule_manager.asrun import AsRunEnd, AsRunEntry, AsRunStart

P = ParamSpec("P")
T = TypeVar("T")

PROFILE = OutputProfile()
FRAME = PROFILE.frame_ticks
AAC = PROFILE.audio_frame_ticks
SECOND = TICKS_PER_SECOND
T0 = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC)
FIRST_DTS = 126_000  # any start: playout reads a producer's timestamps from its first

Ending = Literal["clean", "error", "stall", "sound-only"]


class ScriptClock(FakeClock):
    """A fake clock that runs actions when time passes their instant (monotonic seconds)."""

    def __init__(self, start: dt.datetime) -> None:
        super().__init__(start)
        self._actions: list[tuple[float, Callable[[], None]]] = []

    def at(self, seconds: float, action: Callable[[], None]) -> None:
        self._actions.append((seconds, action))
        self._actions.sort(key=lambda pair: pair[0])

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        while self._actions and self._actions[0][0] <= self.monotonic():
            _, action = self._actions.pop(0)
            action()


class InlineExecutor(Executor):
    """Runs each lookup at once on the caller's thread: no race with the fake clock."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:
            future.set_exception(error)
        return future


@dataclass
class Script:
    """What a scripted producer does: `seconds` of media, then its ending.

    `stall` sources go silent after their media; `sound-only` ones keep sending audio alone;
    `delay_s` is how long (fake time) the first packet takes.
    """

    seconds: float
    ending: Ending = "clean"
    delay_s: float = 0.0


class ScriptedSource:
    """A producer that hands out the packets of its script; the packet payload is its label."""

    _pids = iter(range(10_000, 1_000_000))

    def __init__(self, script: Script, label: str, clock: ScriptClock) -> None:
        self.label = label
        self._clock = clock
        self._script = script
        self._packets = self._media()
        self._delay = script.delay_s
        self._done = False
        self.closed = False
        self._pid = next(self._pids)

    @property
    def pid(self) -> int:
        return self._pid

    def _media(self) -> Iterator[MediaPacket]:
        frames = round(self._script.seconds * PROFILE.fps)
        video = [FIRST_DTS + n * FRAME for n in range(frames)]
        end = FIRST_DTS + frames * FRAME
        if self._script.ending == "sound-only":
            end += 60 * SECOND
        audio = list(range(FIRST_DTS, end, AAC))
        timeline = [(ts, "video") for ts in video] + [(ts, "audio") for ts in audio]
        for ts, kind in sorted(timeline, key=lambda pair: (pair[0], pair[1] == "audio")):
            keyframe = kind == "video" and (ts - FIRST_DTS) % (PROFILE.gop_frames * FRAME) == 0
            yield MediaPacket(kind, ts, ts, keyframe, self.label)  # type: ignore[arg-type]

    def get(self, timeout: float) -> MediaPacket | SourceEnd | None:
        if self._delay > 0:
            step = min(timeout, self._delay)
            self._delay -= step
            self._clock.advance(step)
            return None
        if self._done:
            self._clock.advance(timeout)
            return None
        packet = next(self._packets, None)
        if packet is not None:
            return packet
        if self._script.ending == "stall":
            self._done = True
            self._clock.advance(timeout)
            return None
        self._done = True
        return SourceEnd("ffmpeg exited with 1" if self._script.ending == "error" else None)

    def close(self) -> None:
        self.closed = True


@dataclass
class Spawn:
    """One producer the engine started: what it plays and from where."""

    label: str
    path: str | None
    offset_s: float | None
    card: bool


class Producers:
    """The engine's producer factory: scripts per file path (each spawn takes the next)."""

    def __init__(
        self,
        clock: ScriptClock,
        scripts: dict[str, list[Script]],
        kinds: dict[str, type[ScriptedSource]] | None = None,
    ) -> None:
        self._clock = clock
        self._scripts = {path: list(queue) for path, queue in scripts.items()}
        self._kinds = kinds or {}
        self.spawns: list[Spawn] = []

    def __call__(self, args: list[str], label: str) -> ScriptedSource:
        card = any(arg.startswith(("color=", "anullsrc")) for arg in args[:4]) or "image2" in args
        path = None if card else args[args.index("-i") + 1]
        seek = None if card else float(args[args.index("-ss") + 1])
        # the producer seeks a quarter of a frame early (producers.seek_arg)
        early = 0.0 if not seek else SEEK_EARLY_FRAMES / PROFILE.fps
        offset = None if seek is None else round(seek + early, 3)
        self.spawns.append(Spawn(label, path, offset, card))
        if card:
            return ScriptedSource(Script(120.0), label, self._clock)
        queue = self._scripts[str(path)]
        script = queue.pop(0) if len(queue) > 1 else queue[0]
        return self._kinds.get(str(path), ScriptedSource)(script, label, self._clock)


@dataclass
class Sent:
    label: str
    kind: str
    ts: int


class RecordingMuxer:
    """Records what the engine sends, in order, with the producer it came from."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.closed = False

    def send(self, item: MediaPacket, ts: int) -> None:
        self.sent.append(Sent(str(item.packet), item.kind, ts))

    def close(self) -> None:
        self.closed = True

    def video(self) -> list[Sent]:
        return [s for s in self.sent if s.kind == "video"]

    def runs(self) -> list[tuple[str, int, int]]:
        """Consecutive video from one producer: (label, first tick, tick after the last)."""
        runs: list[tuple[str, int, int]] = []
        for sent in self.video():
            if runs and runs[-1][0] == sent.label:
                runs[-1] = (sent.label, runs[-1][1], sent.ts + FRAME)
            else:
                runs.append((sent.label, sent.ts, sent.ts + FRAME))
        return runs


@dataclass
class Item:
    """A scheduled item: a file (path) or a slate card (path None), seconds from T0."""

    start_s: float
    end_s: float
    path: str | None
    event_id: int

    def scheduled(self) -> ScheduledItem:
        return ScheduledItem(
            event_id=self.event_id, channel_number=1, broadcast_day=T0.date(),
            start_utc=T0 + dt.timedelta(seconds=self.start_s),
            end_utc=T0 + dt.timedelta(seconds=self.end_s),
            kind="program" if self.path else "slate", in_point_ms=0,
            program_group=0, asset_id=self.event_id if self.path else None,
            file_path=self.path, title=self.path, canonical=True, available=True,
        )  # fmt: skip


class ScriptedSchedule:
    """The slots of a fixed list of items (what the Planner would resolve, gates passed)."""

    def __init__(self, items: list[Item]) -> None:
        self.items = items

    def slot_at(self, at: dt.datetime) -> Slot:
        for item in self.items:
            scheduled = item.scheduled()
            if scheduled.start_utc <= at < scheduled.end_utc:
                if item.path is None:
                    return Slot("slate", at, scheduled.end_utc, scheduled)
                offset = (at - scheduled.start_utc).total_seconds()
                return Slot("file", at, scheduled.end_utc, scheduled, offset_s=offset)
        return Slot("slate", at, at + dt.timedelta(seconds=30), status="substituted")


@dataclass
class Run:
    """The outcome of one scripted playout."""

    muxer: RecordingMuxer
    producers: Producers
    asrun: list[AsRunEntry] = field(default_factory=list)

    def starts(self) -> list[AsRunStart]:
        return [e for e in self.asrun if isinstance(e, AsRunStart)]

    def ends(self) -> list[AsRunEnd]:
        return [e for e in self.asrun if isinstance(e, AsRunEnd)]


class FakeGuide:
    """The station guide's producer arguments (a still read as image2, as the real one is)."""

    def args(self, seconds: float) -> list[str]:
        return ["-f", "image2", "-loop", "1", "-i", "still.bmp", "-t", f"{seconds:.3f}"]


def play(
    items: list[Item],
    scripts: dict[str, list[Script]],
    seconds: float,
    *,
    tune_s: float = 0.0,
    director: ProgramDirector | None = None,
    actions: list[tuple[float, Callable[[PlayoutEngine], None]]] = (),  # type: ignore[assignment]
    kinds: dict[str, type[ScriptedSource]] | None = None,
    renditions: RenditionShelf | None = None,
    scratch: Path,
) -> Run:
    """Play `items` from `tune_s` after T0 for `seconds` of fake time; returns what went out."""
    clock = ScriptClock(T0 + dt.timedelta(seconds=tune_s))
    producers = Producers(clock, scripts, kinds)
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
        director=director or ProgramDirector(), asrun=asrun, guide=FakeGuide(),  # type: ignore[arg-type]
        sources=producers, muxers=lambda emit, name: muxer,
        lookups=lambda name: InlineExecutor(), renditions=renditions,
    )  # fmt: skip
    engine = PlayoutEngine(1, "Test", ScriptedSchedule(items), deps, lambda chunks: None)
    for when, action in actions:
        clock.at(when, lambda action=action: action(engine))  # type: ignore[misc]
    clock.at(seconds, engine._stop.set)
    engine.start()
    engine._thread.join(30)
    assert not engine._thread.is_alive(), "playout did not stop"
    asrun.close()
    return Run(muxer, producers, written)


def tick(seconds: float) -> int:
    """The channel tick `seconds` after the tune-in instant (T0, on a segment boundary)."""
    return channel_time.tick_at(T0, PROFILE) + round(seconds * PROFILE.fps) * FRAME
