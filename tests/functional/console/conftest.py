"""Fixtures: the demo station's database, a real station and console, one Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_process import (
    ADMIN_TOKEN,
    CHROMIUM,
    CHROMIUM_ARGS,
    Cli,
    Console,
    need_chromium,
    start_console,
)
from playwright.sync_api import Browser, sync_playwright
from station_process import Station, demo_database, start_station


@pytest.fixture(scope="session")
def console_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo station's database (three channels, a promoted library), migrated."""
    return demo_database(tmp_path_factory, "console-db")


# The station, the console and Chromium live for one module: playwright's sync API keeps an
# event loop running in this thread while it is open, so it must be closed before any later
# test calls asyncio.run().
@pytest.fixture(scope="module")
def live_station(console_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Station]:
    work = tmp_path_factory.mktemp("console-station")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RETROVUE_ADMIN_TOKEN", ADMIN_TOKEN)
        station = start_station(console_db, work)
    try:
        yield station
    finally:
        station.stop()


@pytest.fixture(scope="module")
def console(
    console_db: str, live_station: Station, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Console]:
    running = start_console(console_db, tmp_path_factory.mktemp("console"), live_station.base)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    need_chromium()
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: RETROVUE_CONSOLE_SHOTS, else pytest's temporary folder."""
    chosen = os.environ.get("RETROVUE_CONSOLE_SHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("console-shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def cli(console_db: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(console_db, capsys)
