"""A real `retrovue-station` process for live-channel tests, and recording a channel from it."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from retrovue.domain.probe import catalog_facts, probe
from retrovue.schedule_manager.models import CatalogAsset, Channel, PlaylogEvent
from retrovue.schedule_manager.timemath import to_ms

# title, kind, file, seconds, guide entry (entries are a minute apart from `start`)
Part = tuple[str, str, Path, int, int]


def air_in_order(
    session: Session,
    number: int,
    start: dt.datetime,
    parts: Sequence[Part],
    measured: bool = True,
) -> None:
    """Catalog each file with its probed facts (none, not `measured`: added by hand) and air
    them back to back on channel `number`."""
    channel_id = session.scalars(select(Channel.id).where(Channel.number == number)).one()
    at = start
    for title, kind, path, seconds, group in parts:
        asset = CatalogAsset(
            title=title, kind=kind, duration_ms=seconds * 1000, file_path=str(path),
            canonical=True, available=True, tags=[], markers=[],
            media=catalog_facts(probe(str(path)).to_json()) if measured else None,
        )  # fmt: skip
        session.add(asset)
        session.flush()
        end = at + dt.timedelta(seconds=seconds)
        session.add(
            PlaylogEvent(
                channel_id=channel_id, broadcast_day=at.date(), start_ms=to_ms(at),
                end_ms=to_ms(end), kind=kind, asset_id=asset.id, in_point_ms=0,
                program_group=int(start.timestamp()) + group * 60,
            )
        )  # fmt: skip
        at = end


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
