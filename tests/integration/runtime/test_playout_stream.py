"""A live channel over real HTTP: seamless boundaries, continuity, tune-in at the right point."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import time
from pathlib import Path

import av
import httpx
import pytest
from capture_analysis import analyse, bar_position_s, classify_colour, transitions
from conftest import Clip, RunningStation, build_schedule, start_station

from retrovue.ffmpeg import resolve_ffmpeg

ORDER = ["red", "green", "blue", "yellow"]


def record(station: RunningStation, path: Path, seconds: float, number: int = 1) -> float:
    """Write `seconds` of the channel's .ts to `path`; returns when the request was sent.

    The client exists before the clock is read: building one (its TLS context) can take most
    of a second on a loaded machine, and that is not the station's tune-in time.
    """
    with httpx.Client(timeout=10) as client:
        sent = time.time()
        with client.stream("GET", f"{station.base}/iptv/channel/{number}.ts") as response:
            _save(response, path, seconds)
    return sent


def _save(response: httpx.Response, path: Path, seconds: float) -> None:
    with path.open("wb") as sink:
        assert response.status_code == 200
        started = time.monotonic()
        for data in response.iter_bytes():
            sink.write(data)
            if time.monotonic() - started >= seconds:
                break


@pytest.mark.slow
def test_thirty_seconds_across_boundaries_are_one_clean_continuous_stream(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
    schedule = build_schedule(f"sqlite:///{tmp_path / 'rv.db'}", clips, ORDER, start)
    # The station's default background preparer runs beside playout (and yields to it).
    station = start_station(schedule.url, tmp_path / "data", prepare_workers=None)
    try:
        capture = tmp_path / "capture.ts"
        record(station, capture, 30)
    finally:
        station.stop()
    report = analyse(capture)
    assert report.corrupt == 0
    assert report.backwards == 0
    assert report.largest_video_gap_s <= 2 / 30 + 1e-6
    video_cuts = transitions(report.video)
    audio_cuts = transitions(report.audio)
    assert len(video_cuts) >= 4, video_cuts
    for t, name in video_cuts:
        nearest = min(audio_cuts, key=lambda cut: abs(cut[0] - t))
        assert nearest[1] == name
        assert abs(nearest[0] - t) <= 0.040, (t, name, nearest)
    debug = subprocess.run(
        [resolve_ffmpeg(), "-hide_banner", "-loglevel", "debug", "-i", str(capture),
         "-f", "null", "-"],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert "Continuity check failed" not in debug.stderr


@pytest.mark.slow
def test_tuning_in_at_a_random_instant_shows_the_scheduled_item_at_its_offset(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=random.uniform(0, 18))
    schedule = build_schedule(f"sqlite:///{tmp_path / 'rv.db'}", clips, ORDER, start)
    station = start_station(schedule.url, tmp_path / "data")
    try:
        capture = tmp_path / "tune.ts"
        sent = record(station, capture, 2.0)
    finally:
        station.stop()
    with av.open(str(capture)) as container:
        frame = next(container.decode(video=0))
    # The stream opens on the second (a segment boundary) at or before the tune-in, and its
    # timestamps are the wall clock's, modulo the 33 bits MPEG-TS carries.
    assert frame.pts is not None
    wraps = round((sent * 90_000 - frame.pts) / 2**33)
    shown = (frame.pts + wraps * 2**33) / 90_000
    assert sent - 1.1 <= shown <= sent + 0.1 and abs(shown - round(shown)) < 0.001
    at = dt.datetime.fromtimestamp(shown, dt.UTC)
    _, event_start, _, name = schedule.airing(at)
    expected = (at - event_start).total_seconds()
    assert classify_colour(frame) == name
    assert abs(bar_position_s(frame) - expected) <= 0.5
