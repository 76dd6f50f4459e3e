"""Emergency mode reaches every live channel within 2 s; normal resumes at the scheduled offset."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import Clip, build_schedule, start_station
from live_capture import Recording, asrun_log, first_of, pictures, record_for

ORDER = ["cyan", "magenta"]
CHANNELS = (1, 2)
TOKEN = "on-air"


@pytest.mark.slow
def test_emergency_mode_reaches_every_live_channel_within_two_seconds_and_normal_resumes(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    start = dt.datetime.now(dt.UTC)
    url = f"sqlite:///{tmp_path / 'rv.db'}"
    schedule = build_schedule(url, clips, ORDER, start, numbers=CHANNELS)
    station = start_station(url, tmp_path / "data", token=TOKEN)
    recordings: dict[int, Recording] = {}

    def watch(number: int) -> None:
        recordings[number] = record_for(station.base, number, tmp_path / f"{number}.ts", 11.0)

    threads = [threading.Thread(target=watch, args=(number,)) for number in CHANNELS]
    director = f"{station.base}/api/director"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    try:
        for thread in threads:
            thread.start()
        time.sleep(3.0)
        body = {"mode": "emergency", "message": "Severe weather warning"}
        switched = dt.datetime.now(dt.UTC)
        assert httpx.post(director, json=body, headers=auth).json()["mode"] == "emergency"
        time.sleep(4.0)
        resumed = dt.datetime.now(dt.UTC)
        assert httpx.post(director, json={"mode": "normal"}, headers=auth).status_code == 200
        for thread in threads:
            thread.join(30)
    finally:
        station.stop()

    rows = asrun_log(url)
    for number in CHANNELS:
        recording = recordings[number]
        assert not recording.stream_ended
        tuned_at = next(r.started for r in rows if r.channel == number)
        assert recording.sent - 1.05 <= tuned_at.timestamp() <= recording.answered + 0.05
        assert tuned_at.microsecond == 0  # the stream opens on the second before the tune-in
        seen = pictures(recording.path, tuned_at)
        card = first_of(seen, "emergency", tuned_at)
        assert dt.timedelta(0) <= card.wall - switched <= dt.timedelta(seconds=2), number
        back = next(p for p in seen if p.wall > card.wall and p.colour != "emergency")
        assert back.wall - resumed <= dt.timedelta(seconds=2)
        # Judge the resumed air a moment later and away from any boundary: a resume that
        # lands within two frames of a boundary rightly starts the next item at once.
        boundaries = [event_start for _, event_start, _, _ in schedule.events]
        settled = next(
            p
            for p in seen
            if p.wall >= back.wall + dt.timedelta(seconds=0.3)
            and p.colour != "emergency"
            and all(abs((p.wall - b).total_seconds()) > 0.1 for b in boundaries)
        )
        _, event_start, _, name = schedule.airing(settled.wall)
        assert settled.colour == name
        assert settled.bar_s is not None
        assert abs(settled.bar_s - (settled.wall - event_start).total_seconds()) <= 0.5
        statuses = [(r.status, r.reason) for r in rows if r.channel == number]
        assert ("emergency", "Severe weather warning") in statuses
        assert ("interrupted", "emergency mode") in statuses
