"""Console benchmark (run by hand): server time of every page, 5,000 assets and 30 channels.

.venv/bin/python bench/console.py [--assets 5000] [--channels 30] [--rounds 15] [--keep DIR]

Seeds a SQLite station through the admin services (one template of four blocks assigned to
today on every channel, a library source of one synced clip), starts `retrovue-station serve`
and `retrovue console` on loopback, signs in, and reads each page's `Server-Timing` (the
console's own time to its first byte) over `--rounds` requests. Target: every page < 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.infra.bootstrap import open_station

PASSWORD = "bench"
TARGET_MS = 200.0


def seed(url: str, work: Path, assets: int, channels: int) -> None:
    clips = work / "clips"
    clips.mkdir(exist_ok=True)
    clip = clips / "Bench Clip.mp4"
    Ffmpeg(resolve_ffmpeg()).run(
        ["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-t", "20",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip)]
    )  # fmt: skip
    s = open_station(url)
    try:
        series = [f"Series {n}" for n in range(40)]
        for n in range(assets):
            kind = "commercial" if n % 5 == 0 else "program"
            s.assets.add_asset(
                f"Asset {n}", 60_000 if kind == "commercial" else 1_320_000, str(clip),
                tags=["commercial"] if kind == "commercial" else ["sitcom", f"t{n % 25}"],
                kind=kind, canonical=n % 7 != 0, season=1, episode=n % 24 + 1,
                series=series[n % 40] if kind == "program" else None,
            )  # fmt: skip
        s.templates.create_template("Bench day")
        for start, end, tag in ((360, 720, "t1"), (720, 1080, "t2"), (1080, 1320, "t3"),
                                (1320, 360, "sitcom")):  # fmt: skip
            s.templates.add_block("Bench day", start, end, {"tags": [tag], "order": "shuffle"})
        today = dt.date.today()
        for number in range(1, channels + 1):
            s.channels.create_channel(number, f"Channel {number}", default_template="Bench day")
            s.schedule.assign_template(number, "Bench day", today - dt.timedelta(days=3), today)
        s.library.add_source("bench", "filesystem", paths=[str(clips)])
        s.library.sync("bench")
    finally:
        s.close()


def wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"not ready: {url}")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=5000)
    parser.add_argument("--channels", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="rv-console-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{work / 'bench.db'}"
    started = time.monotonic()
    if not (work / "bench.db").exists():
        seed(url, work, args.assets, args.channels)
    print(f"seeded in {time.monotonic() - started:.0f} s: {url}")
    env = {**os.environ, "RETROVUE_DATA_DIR": str(work / "data"),
           "RETROVUE_CONSOLE_PASSWORD": PASSWORD, "RETROVUE_ADMIN_TOKEN": "bench"}  # fmt: skip
    station_port, console_port = free_port(), free_port()
    station = subprocess.Popen(
        [sys.executable, "-m", "retrovue.runtime.station", "serve", "--db", url,
         "--port", str(station_port), "--plan-every", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    console = subprocess.Popen(
        [sys.executable, "-m", "retrovue.cli.app", "--db", url, "console", "--port",
         str(console_port), "--station-url", f"http://127.0.0.1:{station_port}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait(f"http://127.0.0.1:{station_port}/healthz", station)
        base = f"http://127.0.0.1:{console_port}"
        wait(f"{base}/signin", console)
        report(base, args.rounds, args)
    finally:
        for process in (console, station):
            process.terminate()
            process.wait(20)


def report(base: str, rounds: int, args: argparse.Namespace) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text)
        assert token is not None
        client.post("/signin", data={"csrf": token[1], "password": PASSWORD})
        day = dt.date.today().isoformat()
        pages = [
            "/live", "/live/table", "/channels", "/channels/new", "/channels/1",
            "/channels/1/remove", "/catalog", "/catalog?q=asset+49&canonical=yes",
            "/catalog?kind=program&tag=t3&page=20", "/catalog/2500", "/catalog/2500/withdraw",
            "/templates", "/templates/1", "/templates/1?block=06:00", "/templates/1/remove",
            "/schedule/1", f"/schedule/1/preview?day={day}", f"/schedule/1/asrun?day={day}",
            f"/schedule/1/asrun.csv?day={day}", "/library", "/library/sources/1",
            "/library/sources/1/remove", "/library/review?status=", "/library/items/1",
        ]  # fmt: skip
        load = os.getloadavg()
        print(f"{args.assets} assets, {args.channels} channels, {rounds} rounds per page; "
              f"load average before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")  # fmt: skip
        print(f"{'page':52} {'median ms':>10} {'max ms':>8}")
        worst = 0.0
        for path in pages:
            times = []
            for _ in range(rounds):
                answer = client.get(path)
                assert answer.status_code == 200, (path, answer.status_code)
                timing = re.search(r"dur=([\d.]+)", answer.headers["server-timing"])
                assert timing is not None
                times.append(float(timing[1]))
            median = statistics.median(times)
            worst = max(worst, median)
            flag = "" if median < TARGET_MS else "  OVER TARGET"
            print(f"{path:52} {median:10.1f} {max(times):8.1f}{flag}")
        load = os.getloadavg()
        print(f"slowest page median {worst:.1f} ms (target < {TARGET_MS:.0f}); "
              f"load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
