"""The director API, gating and faults at air time, and the linger after the last viewer."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import av
import httpx
import pytest
from capture_analysis import classify_colour
from conftest import Clip, build_schedule, start_station
from live_capture import Recording, record_for
from sqlalchemy import select

from retrovue.infra.admin_services import ChannelAdminService
from retrovue.infra.db import open_database
from retrovue.schedule_manager.models import AsRunEvent

ORDER = ["red", "green", "blue", "yellow"]


@dataclass(frozen=True)
class AsRun:
    status: str
    reason: str | None
    asset_id: int | None


def asrun_rows(url: str) -> list[AsRun]:
    db = open_database(url)
    try:
        with db.reading() as session:
            rows = session.scalars(select(AsRunEvent).order_by(AsRunEvent.id))
            return [AsRun(r.status, r.reason, r.asset_id) for r in rows]
    finally:
        db.dispose()


@pytest.mark.slow
def test_the_director_api_refuses_without_a_configured_token_and_with_a_wrong_one(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    schedule = build_schedule(
        f"sqlite:///{tmp_path / 'rv.db'}", clips, ORDER, dt.datetime.now(dt.UTC)
    )
    open_station = start_station(schedule.url, tmp_path / "open")
    try:
        body = {"mode": "emergency", "message": "test"}
        assert httpx.get(f"{open_station.base}/api/director").json()["mode"] == "normal"
        assert httpx.post(f"{open_station.base}/api/director", json=body).status_code == 403
    finally:
        open_station.stop()
    guarded = start_station(schedule.url, tmp_path / "guarded", token="s3cret")
    try:
        url = f"{guarded.base}/api/director"
        wrong = httpx.post(url, json=body, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = httpx.post(url, json=body, headers={"Authorization": "Bearer s3cret"})
        assert right.json() == {"mode": "emergency", "message": "test"}
    finally:
        guarded.stop()


@pytest.mark.slow
def test_a_deleted_file_airs_the_slate_and_the_as_run_log_says_why(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    doomed = tmp_path / "doomed.mp4"
    doomed.write_bytes(clips["green"].path.read_bytes())
    local = {**clips, "green": Clip("green", doomed, 5, clips["green"].rgb, clips["green"].tone)}
    start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    schedule = build_schedule(f"sqlite:///{tmp_path / 'rv.db'}", local, ORDER, start)
    doomed.unlink()
    station = start_station(schedule.url, tmp_path / "data", "--linger", "0")
    try:
        with httpx.stream("GET", f"{station.base}/iptv/channel/1.ts", timeout=10) as response:
            began, received = time.monotonic(), 0
            for data in response.iter_bytes():
                received += len(data)
                if time.monotonic() - began > 12:
                    break
        assert received > 0
    finally:
        station.stop()
    rows = asrun_rows(schedule.url)
    substituted = [r for r in rows if r.status == "substituted"]
    assert any("doomed.mp4" in (r.reason or "") for r in substituted), [
        (r.status, r.reason) for r in rows
    ]
    assert any(r.status == "aired" and r.asset_id == schedule.asset_ids["blue"] for r in rows)


@pytest.mark.slow
def test_after_the_last_viewer_leaves_the_linger_ends_every_ffmpeg_child(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    schedule = build_schedule(
        f"sqlite:///{tmp_path / 'rv.db'}", clips, ORDER, dt.datetime.now(dt.UTC)
    )
    station = start_station(schedule.url, tmp_path / "data", "--linger", "2")
    try:
        with httpx.stream("GET", f"{station.base}/iptv/channel/1.ts", timeout=10) as response:
            next(response.iter_bytes())
            assert station.children()
        # A short item's producer may finish its encoding (and exit) before the next one
        # starts: the channel is off air only once the linger has run out.
        deadline = time.monotonic() + 10

        def live() -> list[int]:
            return list(httpx.get(f"{station.base}/healthz").json()["live_channels"])

        while (live() or station.children()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert live() == []
        assert station.children() == []
    finally:
        station.stop()


@pytest.mark.slow
def test_a_channel_deactivated_on_air_ends_its_viewers_on_a_last_slate(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    schedule = build_schedule(
        f"sqlite:///{tmp_path / 'rv.db'}", clips, ORDER, dt.datetime.now(dt.UTC)
    )
    station = start_station(schedule.url, tmp_path / "data")
    done: list[Recording] = []
    try:
        viewer = threading.Thread(
            target=lambda: done.append(record_for(station.base, 1, tmp_path / "off.ts", seconds=40))
        )
        viewer.start()
        time.sleep(3)
        db = open_database(schedule.url)
        try:
            ChannelAdminService(db).update_channel(1, active=False)
        finally:
            db.dispose()
        turned_off = time.monotonic()
        viewer.join(40)
        ended_after = time.monotonic() - turned_off
    finally:
        station.stop()
    assert done and done[0].stream_ended, "the viewer's stream did not end"
    assert ended_after < 15, ended_after
    rows = asrun_rows(schedule.url)
    assert rows[-1].status == "substituted" and rows[-1].reason == "channel 1 left the air"
    with av.open(str(tmp_path / "off.ts")) as container:
        last = list(container.decode(video=0))[-5:]
    assert {classify_colour(frame) for frame in last} == {"slate"}
