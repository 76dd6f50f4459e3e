"""Fixtures for library tests: real clips, a real library layout, fake media servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_mediabrowser import FakeMediaServer
from fake_plex import FakePlex
from library_media import Clips, build_library
from mediabrowser_library import build

from retrovue.infra.bootstrap import Station, open_station


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    return Clips(tmp_path_factory.mktemp("clips"))


@pytest.fixture
def library(tmp_path: Path, clips: Clips) -> dict[str, Path]:
    return build_library(tmp_path / "media", clips)


@pytest.fixture
def station(database_url: str) -> Iterator[Station]:
    opened = open_station(database_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def plex() -> Iterator[FakePlex]:
    server = FakePlex()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(params=["jellyfin", "emby"])
def mediabrowser(request: pytest.FixtureRequest) -> Iterator[FakeMediaServer]:
    """A small Jellyfin, then Emby, library: two shows of five episodes, four movies."""
    server = FakeMediaServer(request.param, build(shows=2, seasons=1, episodes=5, movies=4))
    try:
        yield server
    finally:
        server.close()
