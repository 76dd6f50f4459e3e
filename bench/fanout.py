"""Fan-out benchmark (run by hand): station CPU per minute of playout with 1 and 20 viewers.

.venv/bin/python bench/fanout.py [--seconds 60] [--viewers 20] [--keep DIR]

One channel airs a 720p item back to back. With one viewer, then with `--viewers`, the bench
reads the CPU time of the station's process tree (the station, its live ffmpeg children and
the children it reaped, from /proc) over `--seconds`, and the tree's RSS. Targets: CPU ratio
<= 1.25 and <= 2 MB of RSS per extra viewer. `--seconds 15` gives a quick reading.
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

import httpx
from tune_in import Station, make_source, seed

from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def tree(pid: int) -> list[int]:
    """`pid` and every live descendant."""
    found, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int(_stat(int(entry.name))[1]) == parent:
                        found.append(int(entry.name))
                        frontier.append(int(entry.name))
                except (OSError, IndexError):
                    continue
    return found


def cpu_seconds(pid: int) -> float:
    """User + system time of the tree, reaped children included (cutime, cstime)."""
    total = 0
    for member in tree(pid):
        try:
            fields = _stat(member)
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / TICKS


def rss_bytes(pid: int) -> int:
    total = 0
    for member in tree(pid):
        try:
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * PAGE
        except OSError:
            continue
    return total


def viewer(base: str, stop: threading.Event, received: list[int]) -> None:
    with (
        httpx.Client(timeout=30) as client,
        client.stream("GET", f"{base}/iptv/channel/1.ts") as response,
    ):
        for data in response.iter_bytes():
            received.append(len(data))
            if stop.is_set():
                return


def measure(pid: int, seconds: float) -> tuple[float, float]:
    """CPU seconds per minute and the median RSS of the tree over `seconds`."""
    rss: list[int] = []
    cpu0, began = cpu_seconds(pid), time.monotonic()
    while time.monotonic() - began < seconds:
        rss.append(rss_bytes(pid))
        time.sleep(1.0)
    cpu = cpu_seconds(pid) - cpu0
    return cpu * 60 / (time.monotonic() - began), statistics.median(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="each measuring window")
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="folder for the source file and database")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="rv-fanout-"))
    root.mkdir(parents=True, exist_ok=True)
    source = make_source(Ffmpeg(resolve_ffmpeg()), root / "source.mp4")
    database = root / f"bench-{os.getpid()}.db"
    seed(f"sqlite:///{database}", source, dt.datetime.now(dt.UTC))
    station = Station(f"sqlite:///{database}", root / "data", linger=30)
    stop = threading.Event()
    counts: list[list[int]] = []
    threads: list[threading.Thread] = []

    def add_viewers(n: int) -> None:
        for _ in range(n):
            counts.append([])
            threads.append(threading.Thread(target=viewer, args=(station.base, stop, counts[-1])))
            threads[-1].start()

    try:
        add_viewers(1)
        time.sleep(5.0)  # on air and past the first burst
        one_cpu, one_rss = measure(station.process.pid, args.seconds)
        add_viewers(args.viewers - 1)
        time.sleep(5.0)
        many_cpu, many_rss = measure(station.process.pid, args.seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        station.stop()
        database.unlink(missing_ok=True)
    per_viewer = (many_rss - one_rss) / (args.viewers - 1) / 2**20
    print(f"1 viewer:   {one_cpu:.2f} CPU s per minute, RSS {one_rss / 2**20:.1f} MB")
    print(f"{args.viewers} viewers: {many_cpu:.2f} CPU s per minute, RSS {many_rss / 2**20:.1f} MB")
    print(f"ratio {many_cpu / one_cpu:.3f} (target <= 1.25)")
    print(f"extra RSS per viewer {per_viewer:.3f} MB (target <= 2 MB)")
    print(f"viewers that received bytes: {sum(1 for c in counts if c)} of {len(counts)}")
    print(f"load: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
