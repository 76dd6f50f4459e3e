"""Fixtures for the real-file matrix: files made once (kept in pytest's cache), a producer run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from media_airing import Airer
from media_kinds import MediaMaker

from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.infra.bootstrap import Station, open_station


@pytest.fixture(scope="session")
def ffmpeg() -> Ffmpeg:
    return Ffmpeg(resolve_ffmpeg())


@pytest.fixture(scope="session")
def media(ffmpeg: Ffmpeg, pytestconfig: pytest.Config) -> MediaMaker:
    cache = pytestconfig.cache
    folder = cache.mkdir("retrovue-media") if cache is not None else None
    if folder is None:
        raise RuntimeError("the matrix needs pytest's cache directory")
    return MediaMaker(ffmpeg, Path(folder))


@pytest.fixture
def station(database_url: str) -> Iterator[Station]:
    opened = open_station(database_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def air(ffmpeg: Ffmpeg, tmp_path: Path) -> Airer:
    return Airer(ffmpeg, tmp_path)
