"""Capacity benchmark (run by hand): channels one station carries, from renditions and live.

.venv/bin/python bench/capacity.py [--seconds 60] [--renditions 10,25,50,75,100]
                                   [--live 1,2,3,4,6] [--trials 15] [--keep DIR]

Same machine, same media: a 1080p30 H.264 test pattern with a tone (2 s GOPs), 120 s long,
aired back to back on every channel from a different point. For each count N, N channels
run the real PlayoutEngine in this process (MasterClock pacing, the timeline cursor, one
TsMuxer per channel): "live" gives playout no renditions, so it starts an ffmpeg transcode
per item; "renditions" gives it a RenditionShelf holding the item's prepared rendition, so
playout finds it on its slot lookup (the key from the file and the item's shape) and reads
it with RenditionSource, as a station does.

A viewer per channel takes every chunk as it is emitted. It has fallen behind when its
stream's media time runs more than 1 s behind the wall clock compared with where it stood
after a 5 s settle, or when playout itself rejoined the schedule after the settle (a
producer that fell behind or stalled). A count is sustained when no viewer fell behind.
CPU is this process's and its children's (getrusage, children once reaped), per
channel-minute and as cores used.

Tune-in: a rendition opened at a random offset, muxed into a pipe that PyAV reads, timed to
the first decoded picture; against `ffmpeg -ss T -i rendition.ts -c copy -f mpegts pipe:1`
read and timed the same way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import math
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import av

from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.runtime.asrun_logger import AsRunLogger
from retrovue.runtime.master_clock import SystemClock
from retrovue.runtime.muxer import Chunk, TsMuxer
from retrovue.runtime.planner import Slot
from retrovue.runtime.playout import PlayoutDeps, PlayoutEngine
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import TICKS_PER_SECOND, OutputProfile
from retrovue.runtime.program_director import ProgramDirector
from retrovue.runtime.renditions.maker import RenditionMaker
from retrovue.runtime.renditions.recipe import Recipe
from retrovue.runtime.renditions.shelf import RenditionShelf
from retrovue.runtime.renditions.source import RenditionSource
from retrovue.runtime.source import ProducerSource, Source, SourceEnd
from retrovue.runtime.timeline import ItemCursor
from retrovue.schedule_manager.airing import ScheduledItem
from retrovue.schedule_manager.renditions import DueAsset, RenditionRecord, RenditionState

ITEM_S = 120
SETTLE_S = 5.0
BEHIND_S = 1.0
PROFILE = OutputProfile()


def make_source(ffmpeg: Ffmpeg, path: Path) -> Path:
    """A 1080p30 H.264 test pattern with a tone and 2 s GOPs, like an HD episode file."""
    if not path.exists():
        ffmpeg.run([
            "-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r=30:d={ITEM_S}",
            "-f", "lavfi", "-i", f"sine=f=440:r=48000:d={ITEM_S}",
            "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-pix_fmt", "yuv420p",
            "-b:v", "6M", "-c:a", "aac", "-ac", "2", "-movflags", "+faststart", str(path),
        ], timeout=1800)  # fmt: skip
    return path


class OneRendition:
    """The rendition book of a station whose catalog holds one prepared asset (number 1)."""

    def __init__(self, key: str, path: Path) -> None:
        now = dt.datetime.now(dt.UTC)
        self.record = RenditionRecord(1, 1, key, "", str(path), 0, "ready", None, now, None)
        self.found = 0

    def rendition_for(self, asset_id: int, key: str) -> RenditionRecord | None:
        self.found += asset_id == 1 and key == self.record.key
        return self.record if asset_id == 1 and key == self.record.key else None

    def rendition_aired(self, rendition_id: int, at: dt.datetime) -> None:
        pass

    def record_rendition(self, asset_id: int, key: str, source_fingerprint: str, path: str,
                         size_bytes: int, state: RenditionState, made_at: dt.datetime,
                         error: str | None = None) -> RenditionRecord:  # fmt: skip
        raise RuntimeError("the bench makes its rendition beforehand")

    def forget_renditions(self, rendition_ids: Any) -> int:
        return 0

    def all_renditions(self) -> list[RenditionRecord]:
        return [self.record]

    def renditions_due(self, start: dt.datetime, end: dt.datetime) -> list[DueAsset]:
        return []

    def next_airings(self, after: dt.datetime) -> dict[int, dt.datetime]:
        return {}


def make_rendition(ffmpeg: Ffmpeg, source: Path, folder: Path) -> tuple[Path, str]:
    maker = RenditionMaker(ffmpeg, Recipe(ProducerFactory(PROFILE, folder, None)), folder)
    asset = DueAsset(1, "bench", str(source), None, ITEM_S * 1000, dt.datetime.now(dt.UTC), ())
    planned = maker.plan(asset)
    assert planned is not None, "a file nothing is known of always has a rendition"
    existing = folder / f"{planned.key}.ts"
    if existing.exists():
        return existing, planned.key
    made = maker.make(planned)
    assert made is not None
    return made.path, planned.key


class BackToBack:
    """One channel's schedule: the item again and again from `epoch`."""

    def __init__(self, number: int, path: Path, epoch: dt.datetime) -> None:
        self.number, self.path, self.epoch = number, path, epoch

    def slot_at(self, at: dt.datetime) -> Slot:
        k = math.floor((at - self.epoch).total_seconds() / ITEM_S)
        start = self.epoch + dt.timedelta(seconds=k * ITEM_S)
        end = start + dt.timedelta(seconds=ITEM_S)
        item = ScheduledItem(
            0, self.number, start.date(), start, end, "program", 0, 0, 1, str(self.path),
            "bench", True, True,
        )  # fmt: skip
        return Slot("file", at, end, item, offset_s=(at - start).total_seconds())


@dataclass
class Viewer:
    """Takes a channel's chunks as emitted; tracks media time against the wall clock."""

    first_wall: float | None = None
    first_pts: int | None = None
    settled_lag: float | None = None
    worst: float = 0.0
    bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, chunks: list[Chunk]) -> None:
        now = time.monotonic()
        with self.lock:
            for chunk in chunks:
                self.bytes += len(chunk.data)
                if chunk.keyframe_pts is None:
                    continue
                if self.first_wall is None or self.first_pts is None:
                    self.first_wall, self.first_pts = now, chunk.keyframe_pts
                    continue
                lag = (now - self.first_wall) - (chunk.keyframe_pts - self.first_pts) / 90_000
                if now - self.first_wall < SETTLE_S:
                    continue
                if self.settled_lag is None:
                    self.settled_lag = lag
                self.worst = max(self.worst, lag - self.settled_lag)

    @property
    def behind(self) -> bool:
        return self.settled_lag is None or self.worst > BEHIND_S


class Rejoins(logging.Handler):
    """Counts playout's own "fell behind" and "stalled" rejoins per channel, after a moment."""

    def __init__(self, after: float) -> None:
        super().__init__(logging.WARNING)
        self.after = after
        self.channels: set[int] = set()
        self.early: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "rejoining" not in message and "slate" not in message:
            return
        number = int(message.split(":", 1)[0].split()[-1])
        (self.channels if time.monotonic() >= self.after else self.early).add(number)


def _record(entries: Any) -> dict[int, int]:
    return {getattr(e, "handle", 0): 1 for e in entries}


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass(frozen=True)
class Run:
    mode: str
    channels: int
    sustained: bool
    behind: int
    cores: float
    cpu_per_channel_minute: float
    worst_lag_s: float
    slow_starts: int  # channels whose first producer started late (rejoined in the settle)


def run_channels(mode: str, count: int, seconds: float, ffmpeg: Ffmpeg, source: Path,
                 rendition: tuple[Path, str]) -> Run:  # fmt: skip
    live: list[str] = []

    def sources(args: list[str], label: str) -> Source:
        if "-i" in args and args[args.index("-i") + 1] == str(source):
            live.append(label)
        return ProducerSource(ffmpeg, args, label)

    clock = SystemClock()
    asrun = AsRunLogger(_record)
    producers = ProducerFactory(PROFILE, source.parent, None)
    book = OneRendition(rendition[1], rendition[0])
    shelf = RenditionShelf(rendition[0].parent, Recipe(producers), book, clock)
    deps = PlayoutDeps(
        clock=clock, ffmpeg=ffmpeg, producers=producers, profile=PROFILE,
        director=ProgramDirector(), asrun=asrun, sources=sources,
        renditions=shelf if mode == "renditions" else None,
    )  # fmt: skip
    viewers = [Viewer() for _ in range(count)]
    now = clock.now()
    engines = []
    for n in range(count):
        epoch = now - dt.timedelta(seconds=random.uniform(0, ITEM_S))
        plan = BackToBack(n + 1, source, epoch)
        engines.append(PlayoutEngine(n + 1, f"Bench {n + 1}", plan, deps, viewers[n].take))
    cpu0, wall0 = _cpu(), time.monotonic()
    rejoins = Rejoins(wall0 + SETTLE_S)
    playout_log = logging.getLogger("retrovue.runtime.playout")
    playout_log.addHandler(rejoins)
    try:
        for engine in engines:
            engine.start()
        time.sleep(seconds)
        for engine in engines:
            engine.stop(30)
    finally:
        playout_log.removeHandler(rejoins)
    asrun.close()
    wall = time.monotonic() - wall0
    cpu = _cpu() - cpu0
    if mode == "renditions":  # every item was found on the shelf: none was transcoded
        assert not live and book.found >= count, (live, book.found)
    behind = sum(v.behind or n + 1 in rejoins.channels for n, v in enumerate(viewers))
    return Run(mode, count, behind == 0, behind, cpu / wall, cpu / (count * wall / 60),
               max(v.worst for v in viewers), len(rejoins.early))  # fmt: skip


def _first_picture(stream: IO[bytes]) -> None:
    with av.open(stream, format="mpegts", options={"probesize": "32768"}) as container:
        for _ in container.decode(video=0):
            return


def _viewer(fd: int, done: list[float]) -> None:
    """Reads until the first picture decodes, then hangs up (the writer sees a broken pipe)."""
    with os.fdopen(fd, "rb") as stream:
        _first_picture(stream)
        done.append(time.perf_counter())


def tune_in_rendition(rendition: Path, offset: float) -> float:
    read, write = os.pipe()
    started = time.perf_counter()
    done: list[float] = []
    reader = threading.Thread(target=_viewer, args=(read, done))
    reader.start()
    sink = os.fdopen(write, "wb", buffering=0)
    source = RenditionSource(rendition, offset, 5.0)
    muxer = TsMuxer(lambda chunks: [sink.write(c.data) for c in chunks], PROFILE)
    base = 10 * TICKS_PER_SECOND
    cursor = ItemCursor(base, base + 5 * TICKS_PER_SECOND, base, PROFILE.frame_ticks,
                        PROFILE.audio_frame_ticks)  # fmt: skip
    try:
        while not done and not isinstance(got := source.get(0.1), SourceEnd):
            if got is not None:
                for packet, tick in cursor.place(got):
                    muxer.send(packet, tick)
    except BrokenPipeError:
        pass
    finally:
        source.close()
        reader.join()
        sink.close()
    return done[0] - started


def tune_in_copy(ffmpeg: Ffmpeg, rendition: Path, offset: float) -> float:
    started = time.perf_counter()
    process = ffmpeg.spawn(["-ss", f"{offset:.3f}", "-i", str(rendition), "-c", "copy",
                            "-f", "mpegts", "pipe:1"])  # fmt: skip
    try:
        _first_picture(process.stdout)
        return time.perf_counter() - started
    finally:
        process.close()


def ramp(mode: str, counts: list[int], run: Callable[[str, int], Run]) -> list[Run]:
    """Counts in order until one is not sustained (that one reported too)."""
    runs = []
    for count in counts:
        result = run(mode, count)
        print(_line(result), flush=True)
        runs.append(result)
        if not result.sustained:
            break
    return runs


def _counts(text: str) -> list[int]:
    """`10,25,50` as counts; an empty list skips that side."""
    return [int(part) for part in text.split(",") if part.strip()]


def _line(r: Run) -> str:
    verdict = "sustained" if r.sustained else f"{r.behind} behind"
    return (f"{r.mode:>10} {r.channels:>4} ch: {verdict:<12} cpu {r.cores:.2f} cores, "
            f"{r.cpu_per_channel_minute:.2f} cpu-s per channel-minute, "
            f"worst lag {r.worst_lag_s:.2f} s, slow starts {r.slow_starts}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--renditions", default="10,25,50,75,100")
    parser.add_argument("--live", default="1,2,3,4,6")
    parser.add_argument("--trials", type=int, default=15)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="rv-capacity-"))
    folder.mkdir(parents=True, exist_ok=True)
    ffmpeg = Ffmpeg(resolve_ffmpeg())
    print(f"load average at start: {os.getloadavg()}; cores: {os.cpu_count()}", flush=True)
    source = make_source(ffmpeg, folder / "source-1080p.mp4")
    made = time.monotonic()
    cpu0 = _cpu()
    made_one = make_rendition(ffmpeg, source, folder / "renditions")
    rendition = made_one[0]
    print(f"rendition: {rendition.stat().st_size / 1e6:.1f} MB, made in "
          f"{time.monotonic() - made:.1f} s, {_cpu() - cpu0:.1f} cpu-s", flush=True)  # fmt: skip
    offsets = [random.uniform(0, ITEM_S - 10) for _ in range(args.trials)]
    ours = [tune_in_rendition(rendition, o) for o in offsets]
    floor = [tune_in_copy(ffmpeg, rendition, o) for o in offsets]
    print(f"tune-in from a rendition: median {statistics.median(ours) * 1000:.0f} ms; "
          f"ffmpeg -c copy of it: median {statistics.median(floor) * 1000:.0f} ms; ratio "
          f"{statistics.median(ours) / statistics.median(floor):.2f}", flush=True)  # fmt: skip

    def run(mode: str, count: int) -> Run:
        return run_channels(mode, count, args.seconds, ffmpeg, source, made_one)

    rendered = ramp("renditions", _counts(args.renditions), run)
    live = ramp("live", _counts(args.live), run)
    best_r = max((r.channels for r in rendered if r.sustained), default=0)
    best_l = max((r.channels for r in live if r.sustained), default=0)
    print(f"sustained: {best_r} channels from renditions, {best_l} live transcoding; ratio "
          f"{best_r / best_l if best_l else float('inf'):.1f}x", flush=True)  # fmt: skip
    print(f"load average at end: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
