"""Fixtures for library tests: real clips, a real library layout, a fake Plex server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_plex import FakePlex
from library_media import Clips, build_library

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
