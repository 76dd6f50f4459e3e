"""The guide channel on air: what a viewer of `/iptv/channel/N.ts` sees, read back by OCR."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
import time
from pathlib import Path

import av
import httpx
import pytest
from capture_analysis import analyse, classify_colour
from conftest import Clip, build_schedule, need_tool, start_station
from live_capture import Recording, record_for
from PIL import Image
from sqlalchemy import select

from retrovue.ffmpeg import resolve_ffmpeg
from retrovue.infra.admin_services import ChannelAdminService
from retrovue.infra.db import open_database
from retrovue.schedule_manager.models import Channel, EpgEntry
from retrovue.schedule_manager.timemath import to_ms

ORDER = ["cyan", "magenta"]  # 10 s each: what each channel airs now is known at any instant
GUIDE = 9


def ocr(frame: av.VideoFrame, folder: Path) -> str:
    """Text tesseract reads on a decoded frame (bright ink on the guide's dark boxes)."""
    tesseract = need_tool("tesseract")
    picture: Image.Image = frame.to_image().convert("L").point(lambda v: 0 if v > 150 else 255)
    path = folder / f"frame-{frame.pts}.png"
    picture.save(path)
    done = subprocess.run(
        [tesseract, str(path), "stdout", "--psm", "11"], capture_output=True, timeout=60,
        check=True,
    )  # fmt: skip
    return " ".join(done.stdout.decode("utf-8", "replace").split())


def frames(path: Path) -> list[av.VideoFrame]:
    with av.open(str(path)) as container:
        return list(container.decode(video=0))


@pytest.mark.slow
def test_the_guide_channel_shows_every_channel_and_what_it_airs_now_in_a_clean_stream(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    schedule = build_schedule(
        f"sqlite:///{tmp_path / 'rv.db'}", clips, ORDER, now, minutes=0, numbers=(1, 2, 3)
    )
    titles = {1: "cyan", 2: "magenta", 3: "yellow"}  # each channel airs its clip's asset
    db = open_database(schedule.url)
    try:
        ChannelAdminService(db).create_channel(GUIDE, "Guide", kind="guide")
        with db.transaction() as session:
            for number, title in titles.items():
                channel_id = session.scalars(
                    select(Channel.id).where(Channel.number == number)
                ).one()
                begin = now - dt.timedelta(minutes=10)
                session.add(EpgEntry(
                    channel_id=channel_id, broadcast_day=begin.date(), start_ms=to_ms(begin),
                    end_ms=to_ms(begin + dt.timedelta(hours=2)), kind="program",
                    asset_id=schedule.asset_ids[title],
                ))  # fmt: skip
    finally:
        db.dispose()
    station = start_station(schedule.url, tmp_path / "data")
    try:
        capture = tmp_path / "guide.ts"
        recording = record_for(station.base, GUIDE, capture, 10)
        lineup = httpx.get(f"{station.base}/lineup.json").json()
        playlist = httpx.get(f"{station.base}/iptv/channels.m3u").text
        guide_xml = httpx.get(f"{station.base}/iptv/xmltv.xml").text
    finally:
        station.stop()
    assert not recording.stream_ended
    report = analyse(capture)
    assert report.corrupt == 0 and report.backwards == 0
    assert report.largest_video_gap_s <= 2 / 30 + 1e-6
    debug = subprocess.run(
        [resolve_ffmpeg(), "-hide_banner", "-loglevel", "debug", "-i", str(capture),
         "-f", "null", "-"], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "Continuity check failed" not in debug.stderr
    shown = frames(capture)
    text = ocr(shown[len(shown) * 3 // 4], tmp_path)
    for number, title in titles.items():
        assert f"Test {number}" in text, text
        assert title in text.lower(), (title, text)
    assert any(entry["GuideNumber"] == str(GUIDE) for entry in lineup)
    assert "Guide" in playlist and "Program Guide" in guide_xml


@pytest.mark.slow
def test_guide_mode_shows_the_guide_within_two_seconds_and_normal_resumes_the_programme(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    schedule = build_schedule(f"sqlite:///{tmp_path / 'rv.db'}", clips, ORDER, start)
    station = start_station(schedule.url, tmp_path / "data", token="s3cret")
    done: list[Recording] = []
    marks: dict[str, float] = {}
    try:
        viewer = threading.Thread(
            target=lambda: done.append(record_for(station.base, 1, tmp_path / "mode.ts", 16))
        )
        viewer.start()
        time.sleep(4)
        auth = {"Authorization": "Bearer s3cret"}
        for mode, pause in (("guide", 6), ("normal", 5)):
            marks[mode] = time.time()
            answer = httpx.post(f"{station.base}/api/director", json={"mode": mode}, headers=auth)
            assert answer.status_code == 200, answer.text
            time.sleep(pause)
        viewer.join(30)
    finally:
        station.stop()
    assert done and not done[0].stream_ended
    shown = frames(tmp_path / "mode.ts")
    first = float(shown[0].pts * shown[0].time_base)
    # The stream's timeline starts when the station answered the tune (within its burst).
    on_air = done[0].answered

    def wall(frame: av.VideoFrame) -> float:
        return on_air + float(frame.pts * frame.time_base) - first

    colours = [(wall(f), classify_colour(f)) for f in shown]
    guide_from = next(t for t, c in colours if t > marks["guide"] and c not in ORDER)
    assert guide_from - marks["guide"] <= 2.0
    guide_frame = next(f for f in shown if wall(f) > guide_from + 1.0)
    assert "Test 1" in ocr(guide_frame, tmp_path)
    back = next(t for t, c in colours if t > marks["normal"] and c in ORDER)
    assert back - marks["normal"] <= 2.0
