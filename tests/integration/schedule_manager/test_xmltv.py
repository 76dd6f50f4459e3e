"""The XMLTV document: icons clients can fetch, entries titled by their program, clean XML."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from retrovue.infra.admin_services import (
    AssetAdminService,
    ChannelAdminService,
    TemplateAdminService,
)
from retrovue.infra.db import Database
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator
from retrovue.schedule_manager.schedule_service import ScheduleService
from retrovue.schedule_manager.xmltv import render_xmltv, xml_safe

NOW = dt.datetime(2026, 11, 30, 15, 7, tzinfo=dt.UTC)
MIN = 60_000
PLOT = "A plot\x07 with a bell\x0b and a form feed\x0c in it."
DTD = Path("/usr/share/xmltv/xmltv.dtd")
# (season, episode) -> the xmltv_ns and onscreen numbers a guide must show. xmltv_ns counts
# from zero, so it cannot say "episode 0" or "season 0": that part is left empty (unknown).
SPECIALS = {
    (1, 1): ("0.0.", "S01E01"),
    (2, 10): ("1.9.", "S02E10"),
    (1, 0): ("0..", "S01E00"),
    (0, 3): (".2.", "S00E03"),
    (None, 2): (".1.", "E02"),
    (0, 0): (None, "S00E00"),
}


@pytest.fixture
def station(database: Database, tmp_path: Path) -> Database:
    media = tmp_path / "media.mp4"
    media.write_bytes(b"\0")
    assets = AssetAdminService(database)
    for i in range(3):
        assets.add_asset(
            f"Episode {i}",
            22 * MIN,
            str(media),
            ["sitcom"],
            canonical=True,
            series="Sitcom",
            episode=i + 1,
            description=PLOT,
        )
    for seconds in (30, 60):
        assets.add_asset(f"Ad {seconds}", seconds * 1000, str(media), ["ad"], "commercial", True)
    templates = TemplateAdminService(database)
    templates.create_template("sitcoms")
    templates.add_block(
        "sitcoms", 360, 360, {"tags": ["sitcom"], "breaks": "end", "filler_tags": ["ad"]}
    )
    channels = ChannelAdminService(database)
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG")
    channels.create_channel(2, "Two", default_template="sitcoms", logo=str(logo))
    channels.create_channel(3, "Three", default_template="sitcoms", logo="https://x.test/3.png")
    ScheduleOrchestrator(database, horizon_hours=6).run_once(NOW)
    return database


def _icons(document: bytes) -> dict[str, str | None]:
    """Each channel's icon by its number (its first display name)."""
    root = ET.fromstring(document)
    icons = {}
    for channel in root.iter("channel"):
        icon = channel.find("icon")
        icons[channel.findtext("display-name") or ""] = None if icon is None else icon.attrib["src"]
    return icons


def test_icons_are_urls_the_station_serves_or_left_out_without_a_base(station: Database) -> None:
    end = NOW + dt.timedelta(hours=1)
    served = render_xmltv(station, NOW, end, base_url="http://10.0.0.5:8420")
    assert _icons(served) == {
        "2": "http://10.0.0.5:8420/iptv/logo/2",
        "3": "https://x.test/3.png",
    }
    assert _icons(render_xmltv(station, NOW, end)) == {"2": None, "3": "https://x.test/3.png"}


def test_a_window_opening_inside_a_break_titles_the_entry_by_its_program(
    station: Database,
) -> None:
    items = ScheduleService(station).items_between(2, NOW, NOW + dt.timedelta(hours=2))
    programs = {i.program_group: i for i in reversed(items) if i.kind == "program"}
    spot = next(i for i in items if i.kind == "commercial" and i.program_group in programs)
    program = programs[spot.program_group]
    document = render_xmltv(station, spot.start_utc, spot.start_utc + dt.timedelta(hours=1), [2])
    first = ET.fromstring(document).find("programme")
    assert first is not None
    assert first.findtext("title") == "Sitcom"
    assert first.attrib["start"] == program.start_utc.strftime("%Y%m%d%H%M%S +0000")


def test_characters_xml_forbids_are_dropped_from_descriptions(station: Database) -> None:
    document = render_xmltv(station, NOW, NOW + dt.timedelta(hours=1))
    descriptions = {d.text for d in ET.fromstring(document).iter("desc")}
    assert descriptions == {"A plot with a bell and a form feed in it."}


def test_xml_safe_keeps_tabs_newlines_and_astral_characters() -> None:
    assert xml_safe("a\tb\nc\rd\x00e\ufffef\U0001f4fa") == "a\tb\nc\rdef\U0001f4fa"


def test_an_iterator_of_channels_renders_every_channel_it_names(station: Database) -> None:
    end = NOW + dt.timedelta(hours=1)
    document = ET.fromstring(render_xmltv(station, NOW, end, iter([2, 3])))
    numbers = {c.findtext("display-name") for c in document.iter("channel")}
    assert numbers == {"2", "3"}
    ids = {c.attrib["id"] for c in document.iter("channel")}
    assert {p.attrib["channel"] for p in document.iter("programme")} == ids


@pytest.fixture
def specials(database: Database, tmp_path: Path) -> Database:
    """Channel 5 airs one episode of each numbering in SPECIALS, in that order."""
    media = tmp_path / "media.mp4"
    media.write_bytes(b"\0")
    assets = AssetAdminService(database)
    for index, (season, episode) in enumerate(SPECIALS):
        assets.add_asset(
            f"Special {index}", 22 * MIN, str(media), ["special"], canonical=True,
            series=f"Numbering {index}", season=season, episode=episode,
        )  # fmt: skip
    templates = TemplateAdminService(database)
    templates.create_template("specials")
    rule = {"tags": ["special"], "order": "least_recently_used", "breaks": "none"}
    templates.add_block("specials", 360, 360, rule)
    ChannelAdminService(database).create_channel(5, "Five", default_template="specials")
    ScheduleOrchestrator(database, horizon_hours=6).run_once(NOW)
    return database


def test_episode_and_season_zero_are_numbered_without_negative_parts(
    specials: Database, tmp_path: Path
) -> None:
    document = render_xmltv(specials, NOW, NOW + dt.timedelta(hours=4))
    numbers: dict[str, tuple[str | None, str | None]] = {}
    for programme in ET.fromstring(document).iter("programme"):
        systems = {e.attrib["system"]: e.text for e in programme.iter("episode-num")}
        numbers[programme.findtext("title") or ""] = (systems.get("xmltv_ns"), systems["onscreen"])
    assert numbers == {f"Numbering {i}": shown for i, shown in enumerate(SPECIALS.values())}

    tool = shutil.which("tv_validate_file")
    if tool is None or not DTD.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("xmltv-util (tv_validate_file) must be installed under CI")
        pytest.skip("xmltv-util is not installed")
    guide = tmp_path / "guide.xml"
    guide.write_bytes(document)
    checked = subprocess.run(
        [tool, "--dtd-file", str(DTD), str(guide)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
