"""`retrovue demo` end to end: the sample library, its catalog and channels, run twice."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import av
import pytest

from retrovue.cli.app import main
from retrovue.infra.bootstrap import open_station
from retrovue.infra.db import open_database
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator
from retrovue.schedule_manager.schedule_service import ScheduleService

pytestmark = pytest.mark.slow


def demo_media(factory: pytest.TempPathFactory) -> Path:
    """One sample library per test session (later demos find it made and keep it)."""
    return factory.getbasetemp() / "demo-media"


def _seconds(path: str) -> float:
    with av.open(path) as container:
        assert container.duration is not None
        return float(container.duration / av.time_base)


def _snapshot(url: str) -> tuple[object, ...]:
    station = open_station(url)
    try:
        assets = sorted(
            (a["id"], a["title"], a["duration_ms"], a["file_path"])
            for a in station.assets.list_assets()
        )
        channels = station.channels.list_channels()
        templates = station.templates.list_templates()
        days = [station.schedule.list_assignments(c["number"]) for c in channels]
        return assets, channels, templates, days
    finally:
        station.close()


def test_the_demo_builds_a_believable_station_and_a_second_run_changes_nothing(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    media, url = demo_media(tmp_path_factory), f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["--db", url, "demo", "--dir", str(media), "--quiet"]) == 0
    first = _snapshot(url)
    assert main(["--db", url, "demo", "--dir", str(media), "--quiet"]) == 0
    assert _snapshot(url) == first

    _, channels, templates, _ = first
    assert [(c["number"], c["type"]) for c in channels] == [  # type: ignore[index]
        (1, "guide"), (2, "linear"), (3, "linear"), (4, "linear"),
    ]  # fmt: skip
    assert len(templates) == 3  # type: ignore[arg-type]
    station = open_station(url)
    try:
        catalog = station.assets.list_assets()
    finally:
        station.close()
    programs = [a for a in catalog if a["kind"] == "program"]
    episodes = [a for a in programs if a.get("series")]
    movies = [a for a in programs if not a.get("series")]
    assert len(episodes) == 12 and len(movies) == 1
    assert all(21 * 60_000 <= a["duration_ms"] <= 23 * 60_000 for a in episodes)
    assert 88 * 60_000 <= movies[0]["duration_ms"] <= 92 * 60_000
    spots = sorted(a["duration_ms"] // 1000 for a in catalog if a["kind"] == "commercial")
    assert spots == [15] * 4 + [30] * 4
    assert {a["kind"] for a in catalog} == {"program", "commercial", "bumper", "station_id"}
    for asset in catalog:
        assert asset["canonical"]
        real_ms = _seconds(asset["file_path"]) * 1000
        assert abs(asset["duration_ms"] - real_ms) <= 1, asset["file_path"]


def test_episodes_carry_chapters_and_nfo_sidecars(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    media = demo_media(tmp_path_factory)
    assert (
        main(["--db", f"sqlite:///{tmp_path / 'd.db'}", "demo", "--dir", str(media), "--quiet"])
        == 0
    )
    episodes = sorted((media / "shows").rglob("*.mkv"))
    assert len(episodes) == 12
    for episode in episodes:
        assert episode.with_suffix(".nfo").is_file()
        with av.open(str(episode)) as container:
            assert len(container.chapters()) == 3
    assert all((show / "tvshow.nfo").is_file() for show in (media / "shows").iterdir())


def test_the_demo_breaks_open_with_right_back_and_close_with_now_back_to(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    media, url = demo_media(tmp_path_factory), f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["--db", url, "demo", "--dir", str(media), "--quiet"]) == 0
    db = open_database(url)
    try:
        # The demo assigns its templates from today on: plan the next hours as the station would.
        now = dt.datetime.now(dt.UTC)
        ScheduleOrchestrator(db, horizon_hours=4).run_once(now)
        service = ScheduleService(db)
        breaks = []
        for number in (2, 3, 4):
            items = service.items_between(number, now, now + dt.timedelta(hours=4))
            runs = itertools.groupby(items, key=lambda i: (i.program_group, i.kind == "program"))
            # The window's edges may cut a channel's first and last break.
            breaks += [list(run) for (_, program), run in runs if not program][1:-1]
    finally:
        db.dispose()
    assert len(breaks) >= 3 * 6, "four hours of three channels hold many breaks"
    for found in breaks:
        opening, closing = found[0].file_path or "", found[-1].file_path or ""
        assert "/bumpers/into-break/We'll be right back" in opening, found
        assert "/bumpers/out-of-break/And now back to" in closing, found
        assert all("/bumpers/" not in (i.file_path or "") for i in found[1:-1])
