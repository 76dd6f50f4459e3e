"""Faults mid-item: a truncated file airs slate to its slot's end; a killed producer is
replaced at the scheduled offset; the next items start on time and the viewer never waits."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from conftest import Clip, RunningStation, build_schedule, start_station
from live_capture import asrun_log, first_of, pictures, record_for

FRAME = dt.timedelta(seconds=1 / 30)
# red 4 s, yellow 6 s (truncated), blue 3 s, magenta 10 s (its ffmpeg killed), green 5 s.
ORDER = ["red", "yellow", "blue", "magenta", "green"]


def kill_producer_of(station: RunningStation, needle: str, at: float, deadline: float) -> int:
    """SIGKILL the station's ffmpeg whose command line names `needle`, at time.time() `at`."""
    while time.time() < deadline:
        found = [p for p in station.children() if needle in station.command_line(p)]
        if found and time.time() >= at:
            os.kill(found[0], signal.SIGKILL)
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no producer of {needle} to kill")


@pytest.mark.slow
def test_a_truncated_file_airs_slate_and_a_killed_producer_resumes_with_no_gap_for_the_viewer(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    whole = clips["yellow"].path.read_bytes()
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(whole[: len(whole) * 2 // 5])  # moov first: it opens, then runs out
    local = {name: clips[name] for name in ORDER}
    local["yellow"] = Clip("yellow", truncated, 6, clips["yellow"].rgb, clips["yellow"].tone)
    start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)  # the station is up within red
    schedule = build_schedule(f"sqlite:///{tmp_path / 'rv.db'}", local, ORDER, start)
    begins = {name: event_start for _, event_start, _, name in schedule.events[:5]}
    station = start_station(schedule.url, tmp_path / "data")
    killed: list[int] = []
    kill_at = (begins["magenta"] + dt.timedelta(seconds=0.5)).timestamp()
    killer = threading.Thread(
        target=lambda: killed.append(
            kill_producer_of(station, "magenta.mp4", kill_at, kill_at + 10)
        )
    )
    try:
        killer.start()
        until = begins["green"] + dt.timedelta(seconds=1.5)
        seconds = (until - dt.datetime.now(dt.UTC)).total_seconds()
        recording = record_for(station.base, 1, tmp_path / "faults.ts", seconds)
        killer.join()
    finally:
        station.stop()
    assert killed, "the magenta producer was never killed"
    assert not recording.stream_ended, "the viewer's stream was cut"
    assert recording.longest_wait_s < 1.0, recording.longest_wait_s

    rows = asrun_log(schedule.url)
    tuned_at = rows[0].started
    assert recording.sent - 1.05 <= tuned_at.timestamp() <= recording.answered + 0.05
    assert tuned_at.microsecond == 0  # the stream opens on the second before the tune-in
    seen = pictures(recording.path, tuned_at)
    # The truncated item starts, runs out, and the slate holds its place until blue, on time.
    yellow = first_of(seen, "yellow", begins["yellow"] - FRAME)
    assert abs(yellow.wall - begins["yellow"]) <= FRAME
    slate = first_of(seen, "slate", yellow.wall)
    last_yellow = max(p.wall for p in seen if p.colour == "yellow" and p.wall < slate.wall)
    assert slate.wall - last_yellow <= 2 * FRAME  # slate at once when the picture ends
    blue = first_of(seen, "blue", slate.wall)
    assert slate.wall < begins["blue"]
    assert abs(blue.wall - begins["blue"]) <= FRAME, (blue.wall, begins["blue"])
    # The killed producer: a new one takes over at the scheduled offset, so magenta runs on
    # (its bar where the schedule puts it, no slate) and green starts on time.
    magenta = first_of(seen, "magenta", blue.wall)
    green = first_of(seen, "green", magenta.wall)
    between = [p for p in seen if magenta.wall <= p.wall < green.wall]
    assert {p.colour for p in between} == {"magenta"}, {p.colour for p in between}
    for picture in between:
        if picture.bar_s is not None:
            scheduled = (picture.wall - begins["magenta"]).total_seconds()
            assert abs(picture.bar_s - scheduled) < 0.25, (picture.wall, picture.bar_s)
    assert abs(green.wall - begins["green"]) <= FRAME, (green.wall, begins["green"])

    by_asset = {(row.asset_id, row.status): row for row in rows}
    cut_short = by_asset[(schedule.asset_ids["yellow"], "interrupted")]
    assert cut_short.reason, rows
    assert any(r.status == "substituted" and r.reason == cut_short.reason for r in rows)
    killed_row = by_asset[(schedule.asset_ids["magenta"], "interrupted")]
    assert "-9" in (killed_row.reason or ""), killed_row
    resumed = by_asset[(schedule.asset_ids["magenta"], "aired")]
    assert resumed.started > killed_row.started
    assert killed_row.ended is not None and abs(resumed.started - killed_row.ended) <= FRAME
    aired_green = by_asset[(schedule.asset_ids["green"], "aired")]
    assert abs(aired_green.started - begins["green"]) <= FRAME
