"""The station's ports: the HDHomeRun documents on a second port, and one line with exit
status 3 when a port is taken or privileged."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from station_process import ENTRY, Station, demo_database, free_port, start_station

from retrovue.runtime.http_server import EXIT_CANNOT_LISTEN

pytestmark = pytest.mark.slow
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory, "ports")


def refused(database: str, work: Path, *argv: str, prefix: tuple[str, ...] = ()) -> tuple[int, str]:
    env = {**os.environ, "RETROVUE_DATA_DIR": str(work / "data")}
    done = subprocess.run(
        [*prefix, *ENTRY, "serve", "--db", database, "--plan-every", "0", *argv],
        capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return done.returncode, done.stderr


@pytest.fixture
def station_with_hdhr_port(database: str, tmp_path: Path) -> Iterator[tuple[Station, int]]:
    hdhr = free_port()
    station = start_station(database, tmp_path, "--hdhr-port", str(hdhr))
    yield station, hdhr
    assert station.stop() == 0


def test_the_hdhomerun_port_serves_only_the_tuner_documents_pointing_at_the_station_port(
    station_with_hdhr_port: tuple[Station, int],
) -> None:
    station, hdhr = station_with_hdhr_port
    other = f"http://127.0.0.1:{hdhr}"
    discover = httpx.get(f"{other}/discover.json").json()
    assert discover["BaseURL"] == station.base
    assert discover["LineupURL"] == f"{station.base}/lineup.json"
    lineup = httpx.get(f"{other}/lineup.json").json()
    assert lineup and all(e["URL"].startswith(f"{station.base}/iptv/channel/") for e in lineup)
    assert httpx.get(f"{other}/lineup_status.json").status_code == 200
    assert httpx.post(f"{other}/lineup.post?scan=start").status_code == 200
    assert f"<URLBase>{station.base}</URLBase>" in httpx.get(f"{other}/device.xml").text
    for path in ("/iptv/channels.m3u", "/", "/iptv/channel/2.ts", "/api/channels"):
        assert httpx.get(f"{other}{path}").status_code == 404, path
    assert httpx.get(f"{station.base}/discover.json").json()["BaseURL"] == station.base
    assert f"HDHomeRun documents also on port {hdhr}" in station.log.read_text()


def test_a_second_station_on_a_taken_port_exits_3_with_one_line(
    database: str, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, stderr = refused(database, tmp_path, "--port", str(port))
    assert code == EXIT_CANNOT_LISTEN == 3
    assert stderr == (
        f"retrovue-station: cannot listen on 127.0.0.1:{port} for the station: the port is "
        "taken (another station or program has it)\n"
    )


def test_port_80_without_the_capability_is_one_line_naming_it_and_nothing_listens(
    database: str, tmp_path: Path
) -> None:
    drop: tuple[str, ...] = ()
    if os.geteuid() == 0:  # root binds port 80: run the station without the capability
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            if IN_CI:
                pytest.fail("setpriv (util-linux) is required under CI")
            pytest.skip("setpriv is not installed")
        drop = (setpriv, "--bounding-set", "-net_bind_service", "--inh-caps", "-net_bind_service")
    port = free_port()
    code, stderr = refused(
        database, tmp_path, "--port", str(port), "--hdhr-port", "80", prefix=drop
    )
    assert code == EXIT_CANNOT_LISTEN
    assert stderr.count("\n") == 1
    assert stderr.startswith(
        "retrovue-station: cannot listen on 127.0.0.1:80 for the HDHomeRun endpoints: ports "
        "below 1024 need root or the CAP_NET_BIND_SERVICE capability"
    )
    with socket.socket() as probe:  # the station's own port was let go as well
        probe.bind(("127.0.0.1", port))
