"""A `retrovue console` subprocess, Chromium's place, and the CLI as a second witness."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the functional tests' helpers

from station_process import free_port

from retrovue.cli.app import main

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
)  # fmt: skip
PASSWORD = "console-test-password"
ADMIN_TOKEN = "console-test-admin-token"
IN_CI = os.environ.get("CI", "").lower() == "true"


def need_chromium() -> str:
    if shutil.which(CHROMIUM) is None:
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is required under CI (.ci/run installs chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    return CHROMIUM


@dataclass
class Console:
    process: subprocess.Popen[bytes]
    base: str
    log: Path
    data_dir: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_console(
    url: str, work: Path, station_url: str, env: dict[str, str] | None = None
) -> Console:
    """`retrovue console` on a free loopback port, once its sign-in page answers."""
    port = free_port()
    log = work / f"console-{port}.log"
    data = work / "console-data"
    environ = {
        **os.environ,
        "RETROVUE_DATA_DIR": str(data),
        "RETROVUE_CONSOLE_PASSWORD": PASSWORD,
        "RETROVUE_ADMIN_TOKEN": ADMIN_TOKEN,
        **(env or {}),
    }
    argv = [sys.executable, "-m", "retrovue.cli.app", "--db", url, "console",
            "--port", str(port), "--station-url", station_url]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(
            argv, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=environ
        )
    console = Console(process, f"http://127.0.0.1:{port}", log, data)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{console.base}/signin", timeout=1).status_code == 200:
                return console
        except httpx.HTTPError:
            time.sleep(0.1)
    console.stop()
    pytest.fail(f"console did not start: {log.read_text()}")


class Cli:
    """`retrovue --db URL ... --json`, in-process, as the tests' second witness."""

    def __init__(self, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.url = url
        self.capsys = capsys

    def json(self, *args: str) -> object:
        self.capsys.readouterr()
        code = main(["--db", self.url, *args, "--json"])
        captured = self.capsys.readouterr()
        assert code == 0, captured.err
        return json.loads(captured.out)
