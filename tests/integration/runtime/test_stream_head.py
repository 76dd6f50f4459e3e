"""Kodi's way of opening a stream, on one kept-alive connection: HEAD, a GET it reads a little
of, and HEAD again; every answer within 100 ms, and the HEADs start no producer."""

from __future__ import annotations

import datetime as dt
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import Clip, RunningStation, build_schedule, start_station

ANSWER_S = 0.100


def connect(station: RunningStation) -> socket.socket:
    parts = urlsplit(station.base)
    sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), 5)
    return sock


def request(sock: socket.socket, method: str, path: str) -> tuple[float, bytes]:
    """Send one request; the seconds until its head came back, and the head (and any bytes
    read past it)."""
    sent = time.monotonic()
    sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: station\r\nUser-Agent: Kodi\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    return time.monotonic() - sent, data


def head_of(data: bytes) -> dict[str, str]:
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines[1:])
    return {"status": lines[0], **{k.lower(): v for k, v in fields.items()}}


def warm(station: RunningStation) -> None:
    """One HEAD first, so the 100 ms are not spent on the station's first look at the channels."""
    with connect(station) as sock:
        request(sock, "HEAD", "/iptv/channel/1.ts")


@pytest.mark.slow
def test_head_get_head_on_one_connection_each_answer_at_once_and_the_heads_start_nothing(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=0.5)
    schedule = build_schedule(f"sqlite:///{tmp_path / 'rv.db'}", clips, ["cyan"], start)
    station = start_station(schedule.url, tmp_path / "data", "--linger", "0")
    timings: dict[str, float] = {}
    try:
        warm(station)
        with connect(station) as sock:
            timings["head"], first = request(sock, "HEAD", "/iptv/channel/1.ts")
            producers_after_head = station.children()
            timings["get"], got = request(sock, "GET", "/iptv/channel/1.ts")
            body = got.split(b"\r\n\r\n", 1)[1]
            while len(body) < 188 * 64:  # Kodi reads a little to probe, then hangs up
                body += sock.recv(65536)
        with connect(station) as again:
            timings["head again"], second = request(again, "HEAD", "/iptv/channel/1.ts")
            timings["head m3u8"], playlist = request(again, "HEAD", "/iptv/channel/1.m3u8")
            timings["head mp4"], mp4 = request(again, "HEAD", "/iptv/channel/1.mp4")
        deadline = time.monotonic() + 10
        while station.children() and time.monotonic() < deadline:
            time.sleep(0.1)  # the GET's producer stops once its viewer has gone (linger 0)
        producers_after_heads = station.children()
    finally:
        station.stop()
    assert all(seconds <= ANSWER_S for seconds in timings.values()), timings
    assert producers_after_head == []
    assert producers_after_heads == []
    size, chunk = body.split(b"\r\n", 1)  # chunked: a hex size line, then the bytes
    assert int(size, 16) > 0 and chunk[0] == 0x47  # MPEG-TS from the GET
    for data, kind in ((first, "video/mp2t"), (second, "video/mp2t"), (mp4, "video/mp4")):
        fields = head_of(data)
        assert fields["status"] == "HTTP/1.1 200 OK"
        assert fields["content-type"] == kind
        assert "content-length" not in fields
        assert fields["transfer-encoding"] == "chunked"  # as the GET answers
        assert data.endswith(b"\r\n\r\n")  # no body after a HEAD's headers
    assert head_of(got)["transfer-encoding"] == "chunked"
    assert head_of(playlist)["content-type"] == "application/vnd.apple.mpegurl"


@pytest.mark.slow
def test_a_head_holds_no_tuner_so_the_only_one_is_free_for_another_channel(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=0.5)
    url = f"sqlite:///{tmp_path / 'rv.db'}"
    build_schedule(url, clips, ["cyan"], start, numbers=(1, 2))
    station = start_station(url, tmp_path / "data", "--tuner-count", "1", "--linger", "30")
    try:
        with connect(station) as idle:
            _, head = request(idle, "HEAD", "/iptv/channel/1.ts")  # and the client stays idle
            with connect(station) as viewer:
                _, got = request(viewer, "GET", "/iptv/channel/2.ts")
                viewer.recv(65536)
                with connect(station) as third:
                    _, busy = request(third, "HEAD", "/iptv/channel/1.ts")
    finally:
        station.stop()
    assert head_of(head)["status"] == "HTTP/1.1 200 OK"
    assert head_of(got)["status"] == "HTTP/1.1 200 OK"
    # Channel 2 now holds the one tuner: a HEAD of channel 1 says what its GET would.
    assert head_of(busy)["status"] == "HTTP/1.1 503 Service Unavailable"
