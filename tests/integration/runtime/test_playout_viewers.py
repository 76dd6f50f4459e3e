"""Twenty viewers on one channel: one producer, and a viewer that never reads holds nobody back."""

from __future__ import annotations

import datetime as dt
import itertools
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import Clip, RunningStation, build_schedule, start_station

ORDER = ["cyan", "magenta"]  # 10 s each: long stretches without a handover
READERS = 19
WATCH_S = 14.0


@dataclass
class Reader:
    arrivals: list[tuple[float, int]] = field(default_factory=list)
    error: BaseException | None = None

    def largest_gap_s(self) -> float:
        times = [t for t, _ in self.arrivals]
        return max((b - a for a, b in itertools.pairwise(times)), default=float("inf"))

    def received(self) -> int:
        return sum(n for _, n in self.arrivals)


def read(station: RunningStation, reader: Reader, stop: threading.Event) -> None:
    try:
        with (
            httpx.Client(timeout=10) as client,
            client.stream("GET", f"{station.base}/iptv/channel/1.ts") as response,
        ):
            for data in response.iter_bytes():
                reader.arrivals.append((time.monotonic(), len(data)))
                if stop.is_set():
                    return
    except BaseException as error:  # reported by the test, not lost in the thread
        reader.error = error


def stalled_viewer(base: str) -> socket.socket:
    """A client that asks for the stream and never reads a byte (a tiny receive window)."""
    parts = urlsplit(base)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((parts.hostname or "127.0.0.1", parts.port or 80))
    sock.sendall(b"GET /iptv/channel/1.ts HTTP/1.1\r\nHost: station\r\n\r\n")
    return sock


def closed_by_station(sock: socket.socket, within_s: float) -> bool:
    """Drain what the kernel holds; True when the station closed the connection in time."""
    deadline = time.monotonic() + within_s
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if not sock.recv(65536):
                return True
        except TimeoutError:
            return False
    return False


def watch(
    station: RunningStation, readers: list[Reader], seconds: float
) -> tuple[bool, list[tuple[dt.datetime, int]]]:
    """Readers and one stalled viewer for `seconds`; whether the stalled one was closed, and
    the station's ffmpeg count sampled every quarter second."""
    stop = threading.Event()
    threads = [threading.Thread(target=read, args=(station, r, stop)) for r in readers]
    producers: list[tuple[dt.datetime, int]] = []
    for thread in threads:
        thread.start()
    stalled = stalled_viewer(station.base)
    try:
        began = time.monotonic()
        while not all(r.arrivals for r in readers) and time.monotonic() - began < 5:
            time.sleep(0.05)  # every viewer is watching before the producers are counted
        while time.monotonic() - began < seconds:
            producers.append((dt.datetime.now(dt.UTC), len(station.children())))
            time.sleep(0.25)
        before = [r.received() for r in readers]
        dropped = closed_by_station(stalled, within_s=3.0)
        time.sleep(1.0)  # the readers go on after it
        assert all(r.received() > b for r, b in zip(readers, before, strict=True))
    finally:
        stalled.close()
        stop.set()
        for thread in threads:
            thread.join(15)
    assert all(r.error is None for r in readers), [r.error for r in readers]
    return dropped, producers


@pytest.mark.slow
def test_twenty_viewers_share_one_producer_and_one_that_never_reads_slows_nobody(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=0.5)
    schedule = build_schedule(f"sqlite:///{tmp_path / 'rv.db'}", clips, ORDER, start)
    station = start_station(schedule.url, tmp_path / "data")
    readers = [Reader() for _ in range(READERS)]
    try:
        _, producer_counts = watch(station, readers, WATCH_S)
    finally:
        station.stop()
    # Each reader kept receiving in real time beside the viewer that never reads.
    for reader in readers:
        assert reader.largest_gap_s() <= 1.0, reader.largest_gap_s()
        # Readers receive until the watch ends; `watch` waits up to 5 s for the last of them
        # to get its first bytes on a loaded machine, so that much of the span may be missing.
        assert reader.arrivals[-1][0] - reader.arrivals[0][0] >= WATCH_S - 5.0
    # One producer for everyone: exactly one ffmpeg away from a handover (the next item's
    # producer starts about 3.5 s before its boundary), never more than two.
    boundaries = [event_start for _, event_start, _, _ in schedule.events]
    quiet = [
        count
        for at, count in producer_counts
        if all(not -0.5 <= (b - at).total_seconds() <= 4.0 for b in boundaries)
    ]
    assert len(quiet) >= 10
    assert set(quiet) == {1}, producer_counts
    assert max(count for _, count in producer_counts) <= 2


@pytest.mark.slow
def test_a_viewer_that_never_reads_is_dropped_within_seconds(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=0.5)
    schedule = build_schedule(f"sqlite:///{tmp_path / 'rv.db'}", clips, ORDER, start)
    station = start_station(schedule.url, tmp_path / "data")
    try:
        dropped, _ = watch(station, [Reader()], 12.0)
    finally:
        station.stop()
    assert dropped, "the viewer that never reads was not dropped"
    log = station.log.read_text()
    assert "fell behind and was dropped" in log
    assert "Traceback" not in log, "dropping a viewer must not look like an application error"
