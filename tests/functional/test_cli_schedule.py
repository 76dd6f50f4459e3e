"""`retrovue schedule preview|show` and `retrovue epg export` driven as an operator would."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from tiny_media import make_clip

from retrovue.cli.app import main
from retrovue.infra.db import open_database
from retrovue.schedule_manager.models import CatalogAsset
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator

DTD = Path("/usr/share/xmltv/xmltv.dtd")
CHAPTERS_MS = (0, 8 * 60_000, 15 * 60_000)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'station.db'}"
    media = make_clip(tmp_path / "episode.mkv")
    run = [
        ["template", "add", "--name", "sitcoms"],
        [
            "template",
            "block",
            "add",
            "--template",
            "sitcoms",
            "--start",
            "06:00",
            "--end",
            "06:00",
            "--tags",
            "sitcom",
        ],
        [
            "channel",
            "add",
            "--number",
            "2",
            "--name",
            "Retro Two",
            "--timezone",
            "America/New_York",
            "--default-template",
            "sitcoms",
        ],
    ]
    for episode in range(1, 5):
        run.append(
            [
                "asset",
                "add",
                "--title",
                f"Episode {episode}",
                "--duration",
                "00:22:00",
                "--path",
                str(media),
                "--tags",
                "sitcom",
                "--canonical",
            ]
        )
    for seconds in (30, 30, 15, 60, 45):
        run.append(
            [
                "asset",
                "add",
                "--title",
                f"Ad {seconds}",
                "--duration",
                str(seconds),
                "--path",
                str(media),
                "--tags",
                "commercial",
                "--kind",
                "commercial",
                "--canonical",
            ]
        )
    for argv in run:
        assert main(["--db", url, *argv]) == 0, argv
    db = open_database(url)
    try:
        with db.transaction() as session:
            for asset in session.query(CatalogAsset).filter(CatalogAsset.kind == "program"):
                asset.markers = [
                    {"kind": "chapter", "start_ms": s, "end_ms": None} for s in CHAPTERS_MS
                ]
    finally:
        db.dispose()
    return url


def test_preview_shows_sitcoms_on_the_half_hour_with_breaks_at_their_chapter_marks(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert (
        main(
            [
                "--db",
                db_url,
                "schedule",
                "preview",
                "--channel",
                "2",
                "--day",
                "2026-12-01",
                "--json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    programs = [r for r in rows if r["kind"] == "program"]
    firsts = [r for r in programs if r["in_point_ms"] == 0]
    assert len(firsts) == 48
    assert all(r["start"][14:19] in ("00:00", "30:00") for r in firsts)
    assert {r["in_point_ms"] for r in programs} == set(CHAPTERS_MS)
    commercials = [r for r in rows if r["kind"] == "commercial"]
    assert commercials, "breaks hold commercials"
    # Nothing was written: the playlog of that day is still empty.
    assert (
        main(
            ["--db", db_url, "schedule", "show", "--channel", "2", "--day", "2026-12-01", "--json"]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out) == []


def test_preview_prints_a_table_for_people(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert (
        main(["--db", db_url, "schedule", "preview", "--channel", "2", "--day", "2026-12-01"]) == 0
    )
    out = capsys.readouterr().out
    assert "Episode 1" in out and "commercial" in out


def test_exported_epg_of_a_built_horizon_validates_against_the_xmltv_dtd(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(db_url)
    try:
        ScheduleOrchestrator(db, horizon_hours=30).run_once(dt.datetime.now(dt.UTC))
    finally:
        db.dispose()
    guide = tmp_path / "guide.xml"
    assert main(["--db", db_url, "epg", "export", "-o", str(guide), "--hours", "24"]) == 0
    text = guide.read_text()
    assert re.search(r'<channel id="ch2\.[0-9a-f]{8}\.retrovue">', text), text[:400]
    assert "<title>Episode" in text
    validate, sort = shutil.which("tv_validate_file"), shutil.which("tv_sort")
    if validate is None or sort is None or not DTD.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("xmltv-util (tv_validate_file, tv_sort) must be installed under CI")
        pytest.skip("xmltv-util is not installed")
    checked = subprocess.run(
        [validate, "--dtd-file", str(DTD), str(guide)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    sorted_ = subprocess.run(
        [sort, "--output", str(tmp_path / "sorted.xml"), str(guide)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert sorted_.returncode == 0 and "overlap" not in sorted_.stderr.lower(), sorted_.stderr
