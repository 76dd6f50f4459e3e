"""Fixtures for playout tests: generated clips, a short test schedule, a running station."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from capture_analysis import BAR_PX_PER_S, CLIP_COLOURS, CLIP_SECONDS, CLIP_TONES
from sqlalchemy import select

from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.infra.admin_services import AssetAdminService, ChannelAdminService
from retrovue.infra.db import open_database
from retrovue.schedule_manager.models import Channel, PlaylogEvent
from retrovue.schedule_manager.timemath import to_ms

IN_CI = os.environ.get("CI", "").lower() == "true"


@dataclass(frozen=True)
class Clip:
    name: str
    path: Path
    seconds: int
    rgb: tuple[int, int, int]
    tone: int


def make_clip(ffmpeg: Ffmpeg, path: Path, name: str, seconds: int) -> Clip:
    """A 320x180 clip of one colour with a bar moving BAR_PX_PER_S to the right, and a tone."""
    r, g, b = CLIP_COLOURS[name]
    video = (
        f"color=c=0x{r:02x}{g:02x}{b:02x}:s=320x180:r=30[bg];"
        "color=c=white:s=6x180:r=30[bar];"
        f"[bg][bar]overlay=x='t*{BAR_PX_PER_S}':y=0:shortest=1,format=yuv420p[v]"
    )
    ffmpeg.run([
        "-y", "-filter_complex", video,
        "-f", "lavfi", "-i", f"sine=f={CLIP_TONES[name]}:r=48000",
        "-map", "[v]", "-map", "0:a", "-t", str(seconds),
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "15",
        "-c:a", "aac", "-ac", "2", "-movflags", "+faststart", str(path),
    ])  # fmt: skip
    return Clip(name, path, seconds, (r, g, b), CLIP_TONES[name])


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Clip]:
    folder = tmp_path_factory.mktemp("clips")
    ffmpeg = Ffmpeg(resolve_ffmpeg())
    return {
        name: make_clip(ffmpeg, folder / f"{name}.mp4", name, seconds)
        for name, seconds in CLIP_SECONDS.items()
    }


@dataclass
class TestSchedule:
    url: str
    channel_number: int
    asset_ids: dict[str, int]
    events: list[tuple[int, dt.datetime, dt.datetime, str]]

    def airing(self, at: dt.datetime) -> tuple[int, dt.datetime, dt.datetime, str]:
        for event in self.events:
            if event[1] <= at < event[2]:
                return event
        raise LookupError(at)


def build_schedule(
    url: str,
    clips: dict[str, Clip],
    order: list[str],
    start: dt.datetime,
    minutes: float = 10,
    numbers: tuple[int, ...] = (1,),
) -> TestSchedule:
    """Channels `numbers` with the clips as canonical assets, aired back to back from `start`.

    Every channel airs the same events; `events` lists those of the first.
    """
    db = open_database(url)
    try:
        for number in numbers:
            ChannelAdminService(db).create_channel(number, f"Test {number}", grid_size=15)
        assets = AssetAdminService(db)
        ids = {
            name: assets.add_asset(name, c.seconds * 1000, str(c.path), canonical=True)["id"]
            for name, c in clips.items()
        }
        events: list[tuple[int, dt.datetime, dt.datetime, str]] = []
        with db.transaction() as session:
            for number in numbers:
                channel_id = session.scalars(
                    select(Channel.id).where(Channel.number == number)
                ).one()
                at, index = start, 0
                while at < start + dt.timedelta(minutes=minutes):
                    name = order[index % len(order)]
                    end = at + dt.timedelta(seconds=clips[name].seconds)
                    row = PlaylogEvent(
                        channel_id=channel_id, broadcast_day=at.date(), start_ms=to_ms(at),
                        end_ms=to_ms(end), kind="program", asset_id=ids[name], in_point_ms=0,
                        program_group=int(at.timestamp()),
                    )  # fmt: skip
                    session.add(row)
                    session.flush()
                    if number == numbers[0]:
                        events.append((row.id, at, end, name))
                    at, index = end, index + 1
    finally:
        db.dispose()
    return TestSchedule(url, numbers[0], ids, events)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningStation:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def command_line(self, pid: int) -> str:
        try:
            return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            return ""

    def children(self, name: str = "ffmpeg") -> list[int]:
        """Pids of this station's child processes called `name`."""
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
            if ppid == self.process.pid and comm.startswith(name):
                found.append(int(entry.name))
        return found

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                return self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


def start_station(
    url: str,
    data_dir: Path,
    *extra: str,
    token: str | None = None,
    prepare_workers: int | None = 0,
) -> RunningStation:
    """`retrovue-station serve` once /healthz answers; the background preparer is off unless
    asked (None: the station's default), as it would only add load to what a test measures."""
    port = free_port()
    if prepare_workers is not None:
        extra = (*extra, "--prepare-workers", str(prepare_workers))
    env = {**os.environ, "RETROVUE_DATA_DIR": str(data_dir)}
    env.pop("RETROVUE_ADMIN_TOKEN", None)
    if token is not None:
        env["RETROVUE_ADMIN_TOKEN"] = token
    log = data_dir / "station.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "retrovue.runtime.station", "serve", "--db", url,
             "--port", str(port), "--plan-every", "0", *extra],
            stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
        )  # fmt: skip
    station = RunningStation(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{station.base}/healthz", timeout=1).status_code == 200:
                return station
        except httpx.HTTPError:
            time.sleep(0.1)
    station.stop()
    raise RuntimeError(f"station did not start: {log.read_text()}")


@pytest.fixture
def station_factory(tmp_path: Path) -> Iterator[list[RunningStation]]:
    started: list[RunningStation] = []
    yield started
    for station in started:
        station.stop()


def need_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if IN_CI:
            pytest.fail(f"{name} is required under CI")
        pytest.skip(f"{name} is not installed")
    return found
