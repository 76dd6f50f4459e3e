"""The station's HTTP server against slow, silent and non-reading clients, over raw sockets."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import Clip, RunningStation, build_schedule, start_station

from retrovue.runtime.fanout import VIEWER_LAG_S
from retrovue.runtime.http_server import REQUEST_BODY_S, REQUEST_HEAD_S, WRITE_STALL_S

GRACE_S = 2.0  # what a loaded machine may add to a deadline
TOKEN = "deadline-test-token"


def connect(base: str, receive_buffer: int | None = None) -> socket.socket:
    parts = urlsplit(base)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect((parts.hostname or "127.0.0.1", parts.port or 80))
    return sock


def until_closed(sock: socket.socket, limit_s: float) -> tuple[float, bytes]:
    """Seconds until the station closed `sock` (inf if it did not within `limit_s`), and what
    it said before closing."""
    began = time.monotonic()
    said = b""
    while (left := limit_s - (time.monotonic() - began)) > 0:
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            return time.monotonic() - began, said
        if not data:
            return time.monotonic() - began, said
        said += data
    return float("inf"), said


def idle(sock: socket.socket) -> None:
    """Connects and says nothing."""


def partial_line(sock: socket.socket) -> None:
    sock.sendall(b"GET /healthz HT")


def slowloris(sock: socket.socket) -> None:
    """A request line, then one header byte every half second, never the blank line."""
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: station\r\n")

    def drip() -> None:
        try:
            for _ in range(40):
                time.sleep(0.5)
                sock.sendall(b"X")
        except OSError:
            pass  # closed by the station: what the test waits for

    threading.Thread(target=drip, daemon=True).start()


def body_never_sent(sock: socket.socket) -> None:
    sock.sendall(
        b"POST /api/director HTTP/1.1\r\nHost: station\r\ncontent-type: application/json\r\n"
        b"authorization: Bearer " + TOKEN.encode() + b'\r\ncontent-length: 40\r\n\r\n{"mo'
    )


def kept_alive(sock: socket.socket) -> None:
    """One complete request and its answer, then silence on the kept-alive connection."""
    sock.sendall(b"GET /api/director HTTP/1.1\r\nHost: station\r\n\r\n")


@pytest.mark.slow
def test_silent_partial_slow_and_bodiless_clients_are_closed_within_seconds(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    start = dt.datetime.now(dt.UTC)
    schedule = build_schedule(f"sqlite:///{tmp_path / 'rv.db'}", clips, ["cyan"], start, 2)
    station = start_station(schedule.url, tmp_path / "data", token=TOKEN)
    clients = {
        "idle": idle,
        "partial request line": partial_line,
        "slowloris headers": slowloris,
        "body never sent": body_never_sent,
        "kept-alive then silent": kept_alive,
    }
    results: dict[str, tuple[float, bytes]] = {}
    sockets: dict[str, socket.socket] = {}
    try:
        sockets.update({name: connect(station.base) for name in clients})
        for name, behave in clients.items():
            behave(sockets[name])

        def wait(name: str) -> None:
            results[name] = until_closed(sockets[name], 20.0)

        waiters = [threading.Thread(target=wait, args=(name,)) for name in clients]
        for waiter in waiters:
            waiter.start()
        for waiter in waiters:
            waiter.join(30)
        alive = station.process.poll() is None
    finally:
        for sock in sockets.values():
            sock.close()
        station.stop()
    assert alive
    deadline = max(REQUEST_HEAD_S, REQUEST_BODY_S) + GRACE_S
    for name, (seconds, _) in results.items():
        assert seconds <= deadline, (name, seconds)
    for name in ("partial request line", "slowloris headers", "body never sent"):
        assert results[name][1].startswith(b"HTTP/1.1 408 "), (name, results[name][1][:80])
    assert results["idle"][1] == b""
    assert results["kept-alive then silent"][1].startswith(b"HTTP/1.1 200 ")


def station_sockets(station: RunningStation) -> int:
    """How many sockets the station process holds open."""
    fds = Path("/proc") / str(station.process.pid) / "fd"
    count = 0
    for fd in fds.iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except OSError:
            continue
    return count


@pytest.mark.slow
def test_viewers_the_fan_out_drops_lose_their_sockets_though_they_never_read(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=0.5)
    schedule = build_schedule(f"sqlite:///{tmp_path / 'rv.db'}", clips, ["cyan", "magenta"], start)
    station = start_station(schedule.url, tmp_path / "data")
    watcher = connect(station.base)  # keeps the channel on air throughout
    viewers: list[socket.socket] = []
    try:
        watcher.sendall(b"GET /iptv/channel/1.ts HTTP/1.1\r\nHost: station\r\n\r\n")
        watcher.settimeout(10)
        assert watcher.recv(65536).startswith(b"HTTP/1.1 200 ")
        baseline = station_sockets(station)
        for _ in range(20):
            viewer = connect(station.base, receive_buffer=4096)
            viewer.sendall(b"GET /iptv/channel/1.ts HTTP/1.1\r\nHost: station\r\n\r\n")
            viewers.append(viewer)
        counts: list[tuple[float, int]] = []
        began = time.monotonic()
        while time.monotonic() - began < VIEWER_LAG_S + WRITE_STALL_S + 10:
            watcher.recv(1 << 20)  # the watcher reads, so it stays
            counts.append((time.monotonic() - began, station_sockets(station)))
            if len(counts) > 4 and counts[-1][1] <= baseline:
                break
            time.sleep(0.25)
    finally:
        for viewer in [watcher, *viewers]:
            viewer.close()
        station.stop()
    peak = max(count for _, count in counts)
    assert peak >= baseline + 15, counts  # they were being served
    seconds, last = counts[-1]
    assert last <= baseline, counts
    # Dropped once 4 s behind (the send buffers hold a few seconds more), closed at once.
    assert seconds <= VIEWER_LAG_S + WRITE_STALL_S + GRACE_S + 4, counts
