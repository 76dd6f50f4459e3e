"""A demo database and a `retrovue-station` subprocess for the station's functional tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from retrovue.cli.app import main

ENTRY = (sys.executable, "-m", "retrovue.runtime.station")


def demo_database(factory: pytest.TempPathFactory, name: str) -> str:
    """A fresh database holding the demo station (media shared by the session), unplanned."""
    url = f"sqlite:///{factory.mktemp(name) / 'demo.db'}"
    media = factory.getbasetemp() / "demo-media"
    assert main(["--db", url, "demo", "--dir", str(media), "--quiet"]) == 0
    return url


def plan(url: str, hours: float = 6) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ENTRY, "plan", "--db", url, "--horizon-hours", str(hours)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Station:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def ffmpeg_children(self) -> list[int]:
        """Pids of the station's ffmpeg children (from /proc)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            if ppid == self.process.pid and comm.startswith("ffmpeg"):
                found.append(int(entry.name))
        return found

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                return self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


def start_station(url: str, work: Path, *extra: str, prepare_workers: int | None = 0) -> Station:
    """`retrovue-station serve` on a free loopback port, once /healthz answers.

    The background preparer is off unless asked (None: the station's default): a station
    left idle for a minute would start making renditions, load nothing a test looks at needs.
    """
    port = free_port()
    if prepare_workers is not None:
        extra = (*extra, "--prepare-workers", str(prepare_workers))
    log = work / f"station-{port}.log"
    env = {**os.environ, "RETROVUE_DATA_DIR": str(work / "data")}
    env.pop("RETROVUE_TUNER_COUNT", None)
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*ENTRY, "serve", "--db", url, "--port", str(port), "--plan-every", "0", *extra],
            stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
        )  # fmt: skip
    station = Station(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{station.base}/healthz", timeout=1).status_code == 200:
                return station
        except httpx.HTTPError:
            time.sleep(0.1)
    station.stop()
    pytest.fail(f"station did not start: {log.read_text()}")
