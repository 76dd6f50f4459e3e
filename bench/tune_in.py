"""Tune-in benchmark (run by hand): HTTP request to the first decodable picture, against a floor.

.venv/bin/python bench/tune_in.py [--trials 10] [--keep DIR] [--hls] [--measured]

Each trial waits for the channel to go off air, then requests its .ts at a random point of a
40 s 720p item and times the first decoded video frame. With `--hls` it requests the HLS
playlist instead and times its answer, then the first frame decoded from its first segment.
The floor, measured in the same run and at the same offset: ffmpeg alone seeking the same
file and encoding to the station's profile, timed to its first decoded frame. Targets:
median <= 1.0 s and <= 1.5x the floor. The item is added by hand, without a loudness
measurement, so it airs through the single-pass normaliser; `--measured` gives it the facts
ingest would (probed and measured), so it airs by a static gain.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import httpx
from sqlalchemy import select

from retrovue.domain.probe import catalog_facts, probe
from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.infra.admin_services import AssetAdminService, ChannelAdminService
from retrovue.infra.db import open_database
from retrovue.runtime.item_shape import AudioPick, ItemShape
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import OutputProfile
from retrovue.schedule_manager.models import CatalogAsset, Channel, PlaylogEvent
from retrovue.schedule_manager.timemath import to_ms

ITEM_S = 40
PROBE = {"probesize": "4096", "analyzeduration": "0"}


def make_source(ffmpeg: Ffmpeg, path: Path) -> Path:
    """A 720p30 test pattern with a tone and 2 s GOPs, like a typical episode file."""
    if not path.exists():
        ffmpeg.run([
            "-y", "-f", "lavfi", "-i", f"testsrc2=s=1280x720:r=30:d={ITEM_S}",
            "-f", "lavfi", "-i", f"sine=f=440:r=48000:d={ITEM_S}",
            "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-ac", "2", "-movflags", "+faststart", str(path),
        ], timeout=600)  # fmt: skip
    return path


def seed(
    url: str,
    source: Path,
    start: dt.datetime,
    hours: float = 2,
    numbers: tuple[int, ...] = (1,),
    measured: bool = False,
) -> None:
    """Channels `numbers` airing `source` back to back from `start`; `measured` gives the
    asset the facts ingest would."""
    db = open_database(url)
    try:
        asset = AssetAdminService(db).add_asset("bench", ITEM_S * 1000, str(source), canonical=True)
        if measured:
            with db.transaction() as session:
                row = session.get(CatalogAsset, asset["id"])
                assert row is not None
                row.media = catalog_facts(probe(str(source)).to_json())
        for number in numbers:
            ChannelAdminService(db).create_channel(number, f"Bench {number}", grid_size=15)
        with db.transaction() as session:
            for number in numbers:
                channel_id = session.scalars(
                    select(Channel.id).where(Channel.number == number)
                ).one()
                at = start
                while at < start + dt.timedelta(hours=hours):
                    end = at + dt.timedelta(seconds=ITEM_S)
                    session.add(PlaylogEvent(
                        channel_id=channel_id, broadcast_day=at.date(), start_ms=to_ms(at),
                        end_ms=to_ms(end), kind="program", asset_id=asset["id"], in_point_ms=0,
                        program_group=int(at.timestamp()),
                    ))  # fmt: skip
                    at = end
    finally:
        db.dispose()


class Station:
    """`retrovue-station serve` in a child process on a free port."""

    def __init__(self, url: str, data_dir: Path, linger: float) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        self.log = data_dir / "station.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "RETROVUE_DATA_DIR": str(data_dir)}
        with self.log.open("wb") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "retrovue.runtime.station", "serve", "--db", url,
                 "--port", str(port), "--plan-every", "0", "--linger", str(linger)],
                stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"station did not start: {self.log.read_text()}")

    def live(self) -> list[int]:
        return list(httpx.get(f"{self.base}/healthz", timeout=5).json()["live_channels"])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait()


class _Reader:
    """A file object over an iterator of byte strings (what PyAV reads from)."""

    def __init__(self, parts: Iterator[bytes]) -> None:
        self._parts = parts
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while len(self._buffer) < max(size, 1):
            try:
                self._buffer += next(self._parts)
            except StopIteration:
                break
        size = len(self._buffer) if size < 0 else size
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def first_frame(parts: Iterator[bytes]) -> None:
    """Return once a video frame decodes from the MPEG-TS in `parts`."""
    container: Any = av.open(_Reader(parts), format="mpegts", options=PROBE)
    with container:
        for _ in container.decode(video=0):
            return
    raise RuntimeError("the stream ended before any picture")


def tune_once(client: httpx.Client, base: str) -> float:
    began = time.perf_counter()
    with client.stream("GET", f"{base}/iptv/channel/1.ts") as response:
        response.raise_for_status()
        first_frame(response.iter_bytes())
    return time.perf_counter() - began


def tune_once_hls(client: httpx.Client, base: str) -> tuple[float, float]:
    """Seconds to the first playlist, and to the first picture of its first segment."""
    began = time.perf_counter()
    playlist = client.get(f"{base}/iptv/channel/1.m3u8").raise_for_status()
    answered = time.perf_counter() - began
    uri = next(line for line in playlist.text.splitlines() if line and line[0] != "#")
    segment = client.get(f"{base}{uri}").raise_for_status().content
    first_frame(iter([segment]))
    return answered, time.perf_counter() - began


def floor_once(
    ffmpeg: Ffmpeg, factory: ProducerFactory, source: Path, offset: float, measured: bool
) -> float:
    shape = ItemShape(audio=(AudioPick(0, "und", 0.0 if measured else None),))
    began = time.perf_counter()
    process = ffmpeg.spawn(factory.file(str(source), offset, ITEM_S - offset + 1.0, True, shape))
    try:
        first_frame(iter(lambda: process.stdout.read(16384), b""))
        return time.perf_counter() - began  # not the teardown
    finally:
        process.close(timeout=0.1)  # blocked on its full pipe, it ends by SIGKILL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="folder for the source file and database")
    parser.add_argument("--hls", action="store_true", help="tune in by HLS, not the .ts")
    parser.add_argument("--measured", action="store_true", help="the item's loudness is known")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="rv-tune-in-"))
    root.mkdir(parents=True, exist_ok=True)
    ffmpeg = Ffmpeg(resolve_ffmpeg())
    source = make_source(ffmpeg, root / "source.mp4")
    database = root / f"bench-{os.getpid()}.db"
    start = dt.datetime.now(dt.UTC)
    seed(f"sqlite:///{database}", source, start, measured=args.measured)
    factory = ProducerFactory(OutputProfile(), root / "cards", None)
    station = Station(f"sqlite:///{database}", root / "data", linger=0)
    tunes, floors = [], []
    try:
        with httpx.Client(timeout=30) as client:
            for trial in range(args.trials):
                while station.live():
                    time.sleep(0.2)
                time.sleep(random.uniform(0.5, 3.0))
                offset = (dt.datetime.now(dt.UTC) - start).total_seconds() % ITEM_S
                if offset > ITEM_S - 4:  # keep clear of the handover for a like-for-like floor
                    time.sleep(ITEM_S - offset + 1.0)
                    offset = (dt.datetime.now(dt.UTC) - start).total_seconds() % ITEM_S
                if args.hls:
                    answered, tuned = tune_once_hls(client, station.base)
                    print(f"trial {trial + 1}: first playlist {answered:.3f} s", flush=True)
                    tunes.append(tuned)
                else:
                    tunes.append(tune_once(client, station.base))
                while station.live():  # the floor runs on an idle machine, as the tune did
                    time.sleep(0.2)
                floors.append(floor_once(ffmpeg, factory, source, offset, args.measured))
                print(f"trial {trial + 1}: offset {offset:5.1f} s  tune-in {tunes[-1]:.3f} s  "
                      f"floor {floors[-1]:.3f} s", flush=True)  # fmt: skip
    finally:
        station.stop()
        database.unlink(missing_ok=True)
    tune, floor = statistics.median(tunes), statistics.median(floors)
    print(f"median tune-in {tune:.3f} s (target <= 1.0 s)")
    print(f"median floor   {floor:.3f} s; ratio {tune / floor:.2f} (target <= 1.5)")
    print(f"load: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
