"""Guide benchmark (run by hand): CPU per minute of the guide producer against a 720p linear one.

.venv/bin/python bench/guide.py [--seconds 60] [--channels 20] [--keep DIR]

Four producers run at once, each read at real time as playout reads it (a ProducerSource, each
packet taken 1 s before its air time): the floor (a black card: encoding alone), a linear
channel (a 720p30 file through `ProducerFactory.file`), and the guide with `--channels` rows
(they scroll) and with 6 rows (they stand still), both with a music bed. Each ffmpeg's CPU
time is read from /proc over `--seconds` after a warm-up. Before them, the cost of drawing
and swapping one still (a refresh: once a minute on air) is timed. Target: the guide, its
refreshes included, at or below the linear channel.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.places import find_font
from retrovue.runtime.guide.board import GuideBoard
from retrovue.runtime.guide.layout import GuideLayout, build_layout
from retrovue.runtime.guide.music import music_bed
from retrovue.runtime.guide.producer import guide_args, guide_board
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import TICKS_PER_SECOND, OutputProfile
from retrovue.runtime.source import MediaPacket, ProducerSource
from retrovue.schedule_manager.airing import ChannelInfo, ScheduledItem

TICKS = os.sysconf("SC_CLK_TCK")
WARM_UP_S = 5.0
LEAD_S = 1.0
NOW = dt.datetime(2024, 5, 1, 18, 47, tzinfo=dt.UTC)
TITLES = ("Twilight Zone", "Star Trek", "Perry Mason", "Bonanza", "The Avengers", "Dragnet")


def make_episode(ffmpeg: Ffmpeg, path: Path, seconds: float) -> Path:
    """A 720p30 test pattern with a tone and 2 s GOPs, standing in for an episode file."""
    if not path.exists():
        ffmpeg.run([
            "-f", "lavfi", "-i", f"testsrc2=s=1280x720:r=30:d={seconds}",
            "-f", "lavfi", "-i", f"sine=f=440:r=48000:d={seconds}",
            "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-ac", "2", str(path),
        ], timeout=900)  # fmt: skip
    return path


def make_music(ffmpeg: Ffmpeg, folder: Path, profile: OutputProfile) -> Path | None:
    """A bed of two 20 s tracks (two chords of tones), as `music_bed` builds it on air."""
    tracks = []
    for index, freqs in enumerate(((262, 330, 392), (294, 370, 440))):
        track = folder / f"track{index}.mp3"
        sources = [x for f in freqs for x in ("-f", "lavfi", "-i", f"sine=f={f}:d=20")]
        ffmpeg.run([*sources, "-filter_complex", "amix=inputs=3", str(track)])
        tracks.append(track)
    return music_bed(ffmpeg, tracks, folder, profile)


def grid(channels: int, minute: int = 0) -> GuideLayout:
    """`channels` rows, each with half-hour programmes from 18:00."""
    infos = [
        ChannelInfo(n, f"Channel {n}", "UTC", None, None, True, str(n))
        for n in range(1, channels + 1)
    ]
    start = dt.datetime(2024, 5, 1, 18, 0, tzinfo=dt.UTC)
    items = {
        n: [
            ScheduledItem(n * 10 + k, n, start.date(), start + dt.timedelta(minutes=30 * k),
                          start + dt.timedelta(minutes=30 * k + 30), "program", 0, k, 1, "/m.mp4",
                          TITLES[(n + k) % len(TITLES)], canonical=True, available=True)
            for k in range(5)
        ]
        for n in range(1, channels + 1)
    }  # fmt: skip
    return build_layout("RetroVue", "UTC", NOW + dt.timedelta(minutes=minute), infos, items)


def refresh_cost(board: GuideBoard, channels: int, times: int = 10) -> tuple[float, float]:
    """Median CPU and wall seconds of one refresh (a new minute: drawn and swapped in)."""
    cpu, wall = [], []
    for minute in range(1, times + 1):
        layout = grid(channels, minute)
        c0, w0 = time.thread_time(), time.perf_counter()
        assert board.refresh(layout)
        cpu.append(time.thread_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu), statistics.median(wall)


def cpu_seconds(pid: int) -> float:
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


class Reader(threading.Thread):
    """Takes a producer's packets at real time, as playout does, and reads its CPU time."""

    def __init__(self, name: str, source: ProducerSource, window_s: float) -> None:
        super().__init__(name=name, daemon=True)
        self.source = source
        self.window_s = window_s
        self.cpu: float | None = None
        self.error: str | None = None

    def run(self) -> None:
        started: float | None = None
        first = 0
        mark: tuple[float, float] | None = None
        while True:
            item = self.source.get(timeout=10.0)
            if not isinstance(item, MediaPacket):
                self.error = f"{self.name}: producer ended early ({item})"
                return
            if started is None:
                started, first = time.monotonic() + LEAD_S, item.dts
            t = (item.dts - first) / TICKS_PER_SECOND
            time.sleep(max(started + t - LEAD_S - time.monotonic(), 0.0))
            if mark is None and t >= WARM_UP_S:
                mark = (time.monotonic(), cpu_seconds(self.source.pid))
            elif mark is not None and time.monotonic() - mark[0] >= self.window_s:
                elapsed = time.monotonic() - mark[0]
                self.cpu = (cpu_seconds(self.source.pid) - mark[1]) * 60 / elapsed
                return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="keep the generated media in this folder")
    args = parser.parse_args()
    if args.seconds <= 0 or args.channels < 1:
        parser.error("--seconds must be positive and --channels at least 1")
    ffmpeg, profile = Ffmpeg(resolve_ffmpeg()), OutputProfile()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        run_s = WARM_UP_S + args.seconds + 10
        episode = make_episode(ffmpeg, folder / f"episode-{run_s:.0f}s.mp4", run_s)
        bed = make_music(ffmpeg, folder, profile)
        scrolling = guide_board(profile, folder / "guide-scrolling.bmp", find_font())
        standing = guide_board(profile, folder / "guide-standing.bmp", find_font())
        render_cpu, render_wall = refresh_cost(scrolling, args.channels)
        standing.refresh(grid(6))
        factory = ProducerFactory(profile, folder / "cards", None)
        runs = {
            "floor (black card)": factory.card("black", run_s),
            "linear 720p file": factory.file(str(episode), 0.0, run_s, True),
            f"guide, {args.channels} rows scrolling": guide_args(
                profile, scrolling.path, run_s, bed, -6.0
            ),
            "guide, 6 rows standing": guide_args(profile, standing.path, run_s, bed, -6.0),
        }
        load_before = os.getloadavg()
        readers = [
            Reader(name, ProducerSource(ffmpeg, argv, name), args.seconds)
            for name, argv in runs.items()
        ]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
            reader.source.close()
        load_after = os.getloadavg()
    failed = [r.error for r in readers if r.error]
    if failed:
        raise SystemExit("\n".join(failed))
    print(f"bench/guide.py --seconds {args.seconds:g} --channels {args.channels}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    cost = f"{render_cpu * 1000:.0f} ms CPU, {render_wall * 1000:.0f} ms wall"
    print(f"refresh ({args.channels} rows, drawn and swapped): {cost} (median of 10)")
    for reader in readers:
        assert reader.cpu is not None
        extra = render_cpu if reader.name.startswith("guide") else 0.0
        print(f"{reader.name:28} {reader.cpu + extra:6.2f} CPU s per minute")
    linear = next(r.cpu for r in readers if r.name.startswith("linear"))
    guide = max(r.cpu for r in readers if r.name.startswith("guide")) + render_cpu
    assert linear is not None
    print(f"guide / linear: {guide / linear:.2f} (target <= 1)")


if __name__ == "__main__":
    main()
