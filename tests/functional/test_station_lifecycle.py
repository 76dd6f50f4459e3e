"""`retrovue-station` as an operator runs it: plan once, serve, honour tuners, stop cleanly."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from station_process import demo_database, plan, start_station

from retrovue.infra.db import open_database
from retrovue.schedule_manager.models import PlaylogEvent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The demo database after `retrovue-station plan --horizon-hours 6`, and what it printed."""
    url = demo_database(tmp_path_factory, "lifecycle")
    result = plan(url, hours=6)
    assert result.returncode == 0, result.stderr
    yield url, result.stdout


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def test_plan_prints_a_summary_and_writes_playlog_rows(planned: tuple[str, str]) -> None:
    url, printed = planned
    assert "channels planned: 3" in printed
    written = int(printed.split("events written: ")[1].split()[0])
    db = open_database(url)
    try:
        with db.reading() as session:
            rows = session.execute(select(func.count(PlaylogEvent.id))).scalar_one()
    finally:
        db.dispose()
    assert written > 0
    assert rows >= written


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_while_a_channel_plays_exits_zero_and_leaves_no_ffmpeg(
    planned: tuple[str, str], tmp_path: Path, sig: signal.Signals
) -> None:
    station = start_station(planned[0], tmp_path, prepare_workers=None)  # the default preparer
    try:
        with httpx.stream("GET", f"{station.base}/iptv/channel/2.ts", timeout=10) as response:
            assert response.status_code == 200
            received = 0
            for chunk in response.iter_bytes():
                received += len(chunk)
                if received > 100_000:
                    break
            producers = station.ffmpeg_children()
            assert producers, "a tuned channel runs an ffmpeg producer"
            started = time.monotonic()
            station.process.send_signal(sig)
            code = station.process.wait(10)
            took = time.monotonic() - started
    finally:
        station.stop(signal.SIGKILL)
    assert code == 0, station.log.read_text()[-2000:]
    assert took < 8
    assert not [pid for pid in producers if _alive(pid)]


def test_a_new_channel_beyond_the_tuner_count_answers_503(
    planned: tuple[str, str], tmp_path: Path
) -> None:
    public = "http://tv.example:9999"
    station = start_station(
        planned[0], tmp_path, "--tuner-count", "1", "--linger", "1", "--public-url", public
    )
    base = station.base
    try:
        discover = httpx.get(f"{base}/discover.json").json()
        assert (discover["TunerCount"], discover["BaseURL"]) == (1, public)
        assert f"{public}/iptv/channel/2.ts" in httpx.get(f"{base}/iptv/channels.m3u").text
        with httpx.stream("GET", f"{base}/iptv/channel/2.ts", timeout=10) as watching:
            assert watching.status_code == 200
            next(watching.iter_bytes())
            for url in ("/iptv/channel/3.ts", "/iptv/channel/3.m3u8", "/iptv/channel/4.mp4"):
                busy = httpx.get(f"{base}{url}", timeout=10)
                assert busy.status_code == 503, url
                assert "tuners are busy" in busy.json()["error"]
            # The channel already on air shares its tuner with every other viewer.
            assert httpx.get(f"{base}/iptv/channel/2.m3u8", timeout=15).status_code == 200
        assert httpx.get(f"{base}/healthz").json()["live_channels"] == [2]
    finally:
        assert station.stop() == 0
