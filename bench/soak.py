"""Soak (run by hand, not in CI): three channels, twenty viewers, injected faults, for a while.

.venv/bin/python bench/soak.py [--minutes 30] [--viewers 20] [--kill-every 60] [--keep DIR]

The station airs a 720p item back to back on channels 1-3; the viewers are spread over them
and read in real time. Every `--kill-every` seconds one live producer is killed (SIGKILL), and
every fifth time one is frozen for 3 s instead (SIGSTOP, then SIGCONT). The report: for each
viewer the longest wait for bytes and how many waits passed 1 s, streams that ended, and the
station's RSS, open descriptors and threads at the start and the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import signal
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fanout import rss_bytes, tree
from tune_in import Station, make_source, seed

from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg

CHANNELS = (1, 2, 3)


@dataclass
class Watch:
    channel: int
    longest_s: float = 0.0
    over_1s: int = 0
    bytes: int = 0
    ended: int = 0
    waits: list[float] = field(default_factory=list)


def viewer(base: str, watch: Watch, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            with (
                httpx.Client(timeout=30) as client,
                client.stream("GET", f"{base}/iptv/channel/{watch.channel}.ts") as response,
            ):
                last: float | None = None
                for data in response.iter_bytes():
                    now = time.monotonic()
                    if last is not None:
                        wait = now - last
                        watch.longest_s = max(watch.longest_s, wait)
                        watch.over_1s += wait > 1.0
                    last = now
                    watch.bytes += len(data)
                    if stop.is_set():
                        return
        except httpx.HTTPError:
            pass
        if not stop.is_set():
            watch.ended += 1
            time.sleep(1.0)


def snapshot(pid: int) -> tuple[float, int, int]:
    """RSS of the station's tree (MB), the station's open descriptors and threads."""
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    threads = len(os.listdir(f"/proc/{pid}/task"))
    return rss_bytes(pid) / 2**20, fds, threads


def inject(pid: int, every: float, stop: threading.Event, log: list[str]) -> None:
    count = 0
    while not stop.wait(every):
        producers = [p for p in tree(pid) if p != pid]
        if not producers:
            continue
        victim = random.choice(producers)
        count += 1
        try:
            if count % 5 == 0:
                os.kill(victim, signal.SIGSTOP)
                time.sleep(3.0)
                os.kill(victim, signal.SIGCONT)
                log.append(f"froze {victim} for 3 s")
            else:
                os.kill(victim, signal.SIGKILL)
                log.append(f"killed {victim}")
        except ProcessLookupError:
            continue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--kill-every", type=float, default=60.0)
    parser.add_argument("--keep", type=Path, help="folder for the source file and database")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="rv-soak-"))
    root.mkdir(parents=True, exist_ok=True)
    source = make_source(Ffmpeg(resolve_ffmpeg()), root / "source.mp4")
    database = root / f"soak-{os.getpid()}.db"
    seed(f"sqlite:///{database}", source, dt.datetime.now(dt.UTC), args.minutes / 60 + 1, CHANNELS)
    station = Station(f"sqlite:///{database}", root / "data", linger=30)
    stop = threading.Event()
    watches = [Watch(CHANNELS[n % len(CHANNELS)]) for n in range(args.viewers)]
    threads = [threading.Thread(target=viewer, args=(station.base, w, stop)) for w in watches]
    faults: list[str] = []
    pid = station.process.pid
    try:
        for thread in threads:
            thread.start()
        time.sleep(10.0)
        first = snapshot(pid)
        injector = threading.Thread(target=inject, args=(pid, args.kill_every, stop, faults))
        injector.start()
        time.sleep(args.minutes * 60)
        last = snapshot(pid)
    finally:
        stop.set()
        for thread in threads:
            thread.join(40)
        station.stop()
        database.unlink(missing_ok=True)
    print(f"soak: {args.minutes:g} min, {args.viewers} viewers on {len(CHANNELS)} channels")
    print(f"faults injected: {len(faults)} ({sum('froze' in f for f in faults)} freezes)")
    longest = [w.longest_s for w in watches]
    median = statistics.median(longest)
    print(f"longest wait for bytes: max {max(longest):.2f} s, median {median:.2f} s")
    over, ended = sum(w.over_1s for w in watches), sum(w.ended for w in watches)
    print(f"waits over 1 s: {over}; streams ended: {ended}")
    rate = sum(w.bytes for w in watches) / len(watches) / (args.minutes * 60) * 8 / 1e6
    print(f"mean rate per viewer: {rate:.2f} Mbit/s")
    print(f"start: RSS {first[0]:.1f} MB, {first[1]} descriptors, {first[2]} threads")
    print(f"end:   RSS {last[0]:.1f} MB, {last[1]} descriptors, {last[2]} threads")
    print(f"load: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
