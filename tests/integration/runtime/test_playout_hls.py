"""HLS beside the .ts from one producer; real players (mpv) play both."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import subprocess
import threading
import time
from pathlib import Path

import av
import httpx
import pytest
from conftest import Clip, RunningStation, build_schedule, need_tool, start_station
from live_capture import Recording, record_for

ORDER = ["cyan", "magenta"]
FPS = 30


def playlist_entries(text: str) -> list[tuple[float, str]]:
    """(duration, uri) of each segment of a valid live playlist; asserts its shape."""
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U"
    tags = dict(line.split(":", 1) for line in lines if line.startswith("#EXT-X-"))
    target = int(tags["#EXT-X-TARGETDURATION"])
    assert target <= 2
    assert int(tags["#EXT-X-MEDIA-SEQUENCE"]) >= 0
    assert "#EXT-X-ENDLIST" not in tags  # live: the window slides
    entries = []
    for line, uri in itertools.pairwise(lines):
        if line.startswith("#EXTINF:"):
            duration = float(line.removeprefix("#EXTINF:").split(",")[0])
            assert round(duration) <= target
            entries.append((duration, uri))
    return entries


def check_segment(data: bytes) -> tuple[int, bool]:
    """Frames in a segment decoded on its own, and whether it opened on a keyframe."""
    with av.open(io.BytesIO(data), format="mpegts") as container:
        frames = list(container.decode(video=0))
    with av.open(io.BytesIO(data), format="mpegts") as container:
        assert not any(packet.is_corrupt for packet in container.demux())
    assert frames
    return len(frames), bool(frames[0].key_frame)


def keep_watching(station: RunningStation, path: Path, seconds: float) -> threading.Thread:
    done: list[Recording] = []
    thread = threading.Thread(
        target=lambda: done.append(record_for(station.base, 1, path, seconds))
    )
    thread.start()
    return thread


@pytest.mark.slow
def test_hls_shares_the_ts_producer_and_cuts_short_decodable_segments_on_keyframes(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=0.5)
    schedule = build_schedule(f"sqlite:///{tmp_path / 'rv.db'}", clips, ORDER, start)
    station = start_station(schedule.url, tmp_path / "data")
    segments: dict[str, bytes] = {}
    durations: dict[str, float] = {}
    producers: list[tuple[dt.datetime, int]] = []
    try:
        viewer = keep_watching(station, tmp_path / "ts.ts", 8.0)
        with httpx.Client(base_url=station.base, timeout=10) as client:
            began = time.monotonic()
            while time.monotonic() - began < 7.0:
                answer = client.get("/iptv/channel/1.m3u8")
                assert answer.status_code == 200
                assert answer.headers["content-type"].startswith("application/vnd.apple.mpegurl")
                for duration, uri in playlist_entries(answer.text):
                    if uri not in segments:
                        segments[uri] = client.get(uri).raise_for_status().content
                        durations[uri] = duration
                producers.append((dt.datetime.now(dt.UTC), len(station.children())))
                time.sleep(0.5)
        viewer.join(20)
    finally:
        station.stop()
    assert len(segments) >= 4
    for uri, data in segments.items():
        frames, opens_on_keyframe = check_segment(data)
        assert opens_on_keyframe, uri
        assert frames / FPS <= 2.0
        assert abs(frames / FPS - durations[uri]) <= 1.5 / FPS
    # .ts and .m3u8 viewers together: one ffmpeg, and two only while the next item's producer
    # is prepared (it starts about 3.5 s before its boundary; a slow start reaches that).
    boundaries = [event_start for _, event_start, _, _ in schedule.events]
    quiet = [
        count
        for at, count in producers
        if all(not -0.5 <= (b - at).total_seconds() <= 4.0 for b in boundaries)
    ]
    assert quiet and set(quiet) == {1}, producers
    assert max(count for _, count in producers) <= 2, producers


@pytest.mark.slow
def test_mpv_plays_the_ts_stream_and_the_hls_playlist_without_error(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    mpv = need_tool("mpv")
    start = dt.datetime.now(dt.UTC)
    schedule = build_schedule(f"sqlite:///{tmp_path / 'rv.db'}", clips, ORDER, start)
    station = start_station(schedule.url, tmp_path / "data")
    results: dict[str, subprocess.CompletedProcess[str]] = {}

    def play(suffix: str) -> None:
        results[suffix] = subprocess.run(
            [mpv, "--no-config", "--vo=null", "--ao=null", "--length=8",
             f"{station.base}/iptv/channel/1.{suffix}"],
            capture_output=True, text=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip

    players = [threading.Thread(target=play, args=(suffix,)) for suffix in ("ts", "m3u8")]
    try:
        for player in players:
            player.start()
        for player in players:
            player.join(90)
    finally:
        station.stop()
    for suffix, done in results.items():
        output = done.stdout + done.stderr
        assert done.returncode == 0, (suffix, output)
        assert "Exiting... (End of file)" in output, (suffix, output)
        assert "error" not in output.lower(), (suffix, output)
    assert set(results) == {"ts", "m3u8"}
