"""The browser side of the station: the guide at /, the watch page and its MP4 rendition."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path

import av
import httpx
import pytest
from station_process import Station, demo_database, plan, start_station

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Station]:
    url = demo_database(tmp_path_factory, "pages")
    assert plan(url, hours=6).returncode == 0
    running = start_station(url, tmp_path_factory.mktemp("pages-station"), "--linger", "2")
    yield running
    assert running.stop() == 0


def _guide_window(now: dt.datetime) -> tuple[str, str]:
    start = now.replace(minute=now.minute - now.minute % 30, second=0, microsecond=0)
    end = start + dt.timedelta(hours=3)
    return start.isoformat(), end.isoformat()


def test_the_guide_lists_every_channel_with_its_programme_titles(station: Station) -> None:
    channels = httpx.get(f"{station.base}/api/channels").json()["channels"]
    response = httpx.get(f"{station.base}/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = html.unescape(response.text)
    start, end = _guide_window(dt.datetime.now(dt.UTC))
    linear = [c for c in channels if c["kind"] == "linear"]
    assert len(linear) == len(channels) - 1  # the demo's guide channel shows the guide itself
    for channel in channels:
        number = channel["number"]
        assert f'href="/watch/{number}"' in page
        assert channel["name"] in page
    for channel in linear:
        number = channel["number"]
        items = httpx.get(
            f"{station.base}/api/channels/{number}/schedule", params={"from": start, "to": end}
        ).json()["items"]
        titles = {i["title"] for i in items if i["kind"] == "program" and i["title"]}
        assert titles, number
        assert all(title in page for title in titles), titles
    # One programme per channel is on now, and it is marked.
    assert page.count('class="prog now') == len(linear)


def test_the_guide_page_loads_nothing_from_elsewhere(station: Station) -> None:
    page = httpx.get(f"{station.base}/").text
    assert "src=" not in page and "<link" not in page and "<script" not in page


def test_the_watch_page_loads_only_from_the_station_and_the_favicon_is_served(
    station: Station,
) -> None:
    page = httpx.get(f"{station.base}/watch/2").text
    assert re.findall(r'(?:src|href)="([^"]*)"', page)
    assert all(url.startswith("/") for url in re.findall(r'(?:src|href)="([^"]*)"', page))
    assert "<link" not in page and "<script src" not in page
    icon = httpx.get(f"{station.base}/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO


def test_the_watch_page_offers_the_mp4_stream_and_the_hls_fallback(station: Station) -> None:
    page = httpx.get(f"{station.base}/watch/3").text
    assert "<video" in page
    assert page.index('src="/iptv/channel/3.mp4"') < page.index('src="/iptv/channel/3.m3u8"')
    assert httpx.get(f"{station.base}/watch/99").status_code == 404


def test_the_mp4_rendition_decodes_and_shares_the_channel_producer(
    station: Station, tmp_path: Path
) -> None:
    started = time.monotonic()
    data = bytearray()
    first_bytes = float("inf")
    with (
        httpx.stream("GET", f"{station.base}/iptv/channel/4.ts", timeout=10) as ts_viewer,
        httpx.stream("GET", f"{station.base}/iptv/channel/4.mp4", timeout=10) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "video/mp4"
        next(ts_viewer.iter_bytes())
        for chunk in response.iter_bytes():
            if not data:
                first_bytes = time.monotonic() - started
            data += chunk
            if len(data) > 1_500_000:
                break
        producers = station.ffmpeg_children()
    assert first_bytes < 5
    # One channel on air: its producer (two at most while the next item is prepared).
    assert 1 <= len(producers) <= 2
    assert data[4:8] == b"ftyp"
    video = audio = 0
    with av.open(io.BytesIO(bytes(data)), format="mp4") as container:
        kinds = {s.type for s in container.streams}
        assert kinds == {"video", "audio"}
        try:
            for frame in container.decode(video=0):
                assert (frame.width, frame.height) == (1280, 720)
                video += 1
                if video >= 30:
                    break
        except av.error.InvalidDataError:
            pass  # the capture ends in the middle of a fragment
    with av.open(io.BytesIO(bytes(data)), format="mp4") as container:
        try:
            for _ in container.decode(audio=0):
                audio += 1
                if audio >= 20:
                    break
        except av.error.InvalidDataError:
            pass
    assert video >= 30
    assert audio >= 20
