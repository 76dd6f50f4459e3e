"""Kodi with IPTV Simple, given the station's M3U: it lists every channel and starts playing
one within two seconds of being asked, with the M3U's hints or without them (then it checks
each URL first: HEAD, a GET it reads a little of, HEAD again on the kept-alive connection)."""

from __future__ import annotations

import os
import shutil
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from kodi_driver import JsonRpc, running_kodi
from station_process import Station, demo_database, plan, start_station

pytestmark = pytest.mark.slow
IN_CI = os.environ.get("CI", "").lower() == "true"
TUNE_S = 2.0


def tools() -> dict[str, str]:
    found = {name: shutil.which(name) for name in ("kodi", "xvfb-run", "pulseaudio")}
    missing = sorted(name for name, path in found.items() if path is None)
    if missing:
        if IN_CI:
            pytest.fail(f"{', '.join(missing)} required under CI (.ci/run installs them)")
        pytest.skip(f"{', '.join(missing)} not installed")
    return {name: path for name, path in found.items() if path is not None}


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Station]:
    url = demo_database(tmp_path_factory, "kodi")
    assert plan(url, hours=6).returncode == 0
    running = start_station(url, tmp_path_factory.mktemp("kodi-station"), "--linger", "1")
    yield running
    assert running.stop() == 0


def channels(rpc: JsonRpc, timeout: float = 90.0) -> list[dict[str, object]]:
    """Kodi's TV channels once IPTV Simple has loaded them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = rpc.call("PVR.GetChannels", channelgroupid="alltv")["channels"]
        except RuntimeError:
            found = []  # the PVR manager is still starting
        if found:
            return list(found)
        time.sleep(0.5)
    raise AssertionError("Kodi listed no channels")


def tune(rpc: JsonRpc, channel_id: int) -> float:
    """Seconds from Player.Open to Kodi's first picture and sound (Player.OnAVStart)."""
    rpc.notifications.clear()
    asked = time.monotonic()
    rpc.call("Player.Open", item={"channelid": channel_id})
    started = rpc.wait_for("Player.OnAVStart", timeout=60)
    return started - asked


def tune_each(rpc: JsonRpc, names: set[str]) -> list[float]:
    """Enable IPTV Simple, check its channel list, and tune every channel cold."""
    rpc.call("Addons.SetAddonEnabled", addonid="pvr.iptvsimple", enabled=True)
    listed = channels(rpc)
    assert {c["label"] for c in listed} == names
    times = []
    for channel in listed:
        times.append(tune(rpc, int(channel["channelid"])))  # type: ignore[call-overload]
        playing = rpc.call("Player.GetItem", playerid=1, properties=["title"])["item"]
        assert playing["type"] == "channel" and playing["label"] == channel["label"]
        rpc.call("Player.Stop", playerid=1)
        time.sleep(2)  # the station lets the channel go (linger 1 s): the next tune is cold
    return times


def channel_names(station: Station) -> set[str]:
    return {c["name"] for c in httpx.get(f"{station.base}/api/channels").json()["channels"]}


def test_kodi_lists_the_m3u_channels_and_tunes_each_in_under_two_seconds(
    station: Station, tmp_path: Path
) -> None:
    with running_kodi(tmp_path, station.base, tools()) as rpc:
        times = tune_each(rpc, channel_names(station))
    assert statistics.median(times) < TUNE_S, times


def test_without_the_m3u_hints_kodi_checks_each_url_first_and_still_tunes_in_two_seconds(
    station: Station, tmp_path: Path
) -> None:
    m3u = httpx.get(f"{station.base}/iptv/channels.m3u").text
    plain = tmp_path / "plain.m3u"
    plain.write_text("".join(f"{line}\n" for line in m3u.splitlines() if "KODIPROP" not in line))
    with running_kodi(tmp_path, station.base, tools(), m3u_file=plain) as rpc:
        times = tune_each(rpc, channel_names(station))
    assert statistics.median(times) < TUNE_S, times
