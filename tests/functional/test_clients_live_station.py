"""The demo station as real clients see it: m3u-ipytv, tv_validate_file, Jellyfin's types, VLC."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from ipytv import playlist

from retrovue.cli.app import main

pytestmark = pytest.mark.slow
IN_CI = os.environ.get("CI", "").lower() == "true"
DTD = Path("/usr/share/xmltv/xmltv.dtd")


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is required under CI (.ci/run installs it)")
        pytest.skip(f"{name} is not installed")
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo, planned, served by `retrovue-station` on a free loopback port."""
    work = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{work / 'demo.db'}"
    media = tmp_path_factory.getbasetemp() / "demo-media"
    assert main(["--db", url, "demo", "--dir", str(media), "--quiet"]) == 0
    entry = [sys.executable, "-m", "retrovue.runtime.station"]
    subprocess.run([*entry, "plan", "--db", url], check=True, capture_output=True, timeout=300)
    port = _free_port()
    log = (work / "station.log").open("wb")
    process = subprocess.Popen(
        [*entry, "serve", "--db", url, "--port", str(port), "--plan-every", "0"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env={**os.environ, "RETROVUE_DATA_DIR": str(work / "data")},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail(f"station did not start: {(work / 'station.log').read_text()}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_the_m3u_parses_with_every_attribute_for_every_channel(station: str) -> None:
    parsed = playlist.loads(httpx.get(f"{station}/iptv/channels.m3u").text)
    assert parsed.get_attribute("url-tvg") == f"{station}/iptv/xmltv.xml"
    assert [c.attributes["tvg-chno"] for c in parsed.get_channels()] == ["1", "2", "3", "4"]
    for channel in parsed.get_channels():
        for key in ("tvg-id", "tvg-chno", "tvg-name", "tvg-logo", "group-title"):
            assert channel.attributes[key], key
        assert httpx.get(channel.attributes["tvg-logo"]).headers["content-type"] == "image/png"


def test_the_live_xmltv_validates_and_covers_every_channel_over_the_horizon(
    station: str, tmp_path: Path
) -> None:
    tool = need_tool("tv_validate_file")
    response = httpx.get(f"{station}/iptv/xmltv.xml", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    guide = tmp_path / "guide.xml"
    guide.write_bytes(response.content)
    dtd = ["--dtd-file", str(DTD)] if DTD.is_file() else []
    result = subprocess.run([tool, *dtd, str(guide)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    root = ET.fromstring(response.content)
    now = dt.datetime.now(dt.UTC)
    for channel in root.findall("channel"):
        spans = sorted(
            (
                dt.datetime.strptime(p.attrib["start"], "%Y%m%d%H%M%S %z"),
                dt.datetime.strptime(p.attrib["stop"], "%Y%m%d%H%M%S %z"),
            )
            for p in root.findall("programme")
            if p.attrib["channel"] == channel.attrib["id"]
        )
        assert spans, channel.attrib["id"]
        assert spans[0][0] <= now
        # The plan runs at least 48 hours ahead and the guide has no holes in it.
        assert spans[-1][1] >= now + dt.timedelta(hours=48)
        assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))


def test_discover_and_lineup_have_the_types_jellyfin_reads(station: str) -> None:
    discover = httpx.get(f"{station}/discover.json").json()
    assert type(discover["TunerCount"]) is int
    assert len(discover["DeviceID"]) == 8 and int(discover["DeviceID"], 16)
    assert discover["LineupURL"] == f"{station}/lineup.json"
    lineup = httpx.get(discover["LineupURL"]).json()
    assert [(e["GuideNumber"], type(e["HD"])) for e in lineup] == [
        ("1", int),
        ("2", int),
        ("3", int),
        ("4", int),
    ]
    assert httpx.post(f"{station}/lineup.post?scan=start").status_code == 200
    assert "MediaServer:1" in httpx.get(f"{station}/device.xml").text


def test_vlc_opens_the_first_channel_of_the_m3u_the_guide(station: str, tmp_path: Path) -> None:
    cvlc = need_tool("cvlc")
    home = tmp_path / "vlc-home"
    home.mkdir()
    home.chmod(0o777)
    # VLC reads the playlist from the station itself, then opens its first entry.
    command = [cvlc, "-I", "dummy", "--play-and-exit", "--run-time=5", "--vout=dummy",
               "--aout=dummy", "-vv", f"{station}/iptv/channels.m3u"]  # fmt: skip
    if os.geteuid() == 0:  # VLC refuses to run as root
        command = [need_tool("runuser"), "-u", "nobody", "--", *command]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL,
        env={**os.environ, "HOME": str(home)},
    )  # fmt: skip
    log = result.stdout + result.stderr
    assert "unable to open" not in log.lower(), log[-3000:]
    assert "/iptv/channel/1.ts" in log  # the demo's first channel is its guide
    assert 'using demux module "ts"' in log or 'using demux module "es"' in log, log[-3000:]
