"""A real `retrovue-station` process for live-channel tests, and recording a channel from it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def serve(url: str, data: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start the station on a free port over database `url`; returns it and its base URL."""
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port = int(probe_socket.getsockname()[1])
    data.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "RETROVUE_DATA_DIR": str(data)}
    with (data / "station.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "retrovue.runtime.station", "serve", "--db", url,
             "--port", str(port), "--plan-every", "0"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError((data / "station.log").read_text())


def record(base: str, number: int, path: Path, seconds: float) -> None:
    """Record `seconds` of channel `number`'s MPEG-TS into `path`."""
    with (
        httpx.Client(timeout=10) as client,
        client.stream("GET", f"{base}/iptv/channel/{number}.ts") as response,
        path.open("wb") as sink,
    ):
        assert response.status_code == 200
        began = time.monotonic()
        for data in response.iter_bytes():
            sink.write(data)
            if time.monotonic() - began >= seconds:
                break
