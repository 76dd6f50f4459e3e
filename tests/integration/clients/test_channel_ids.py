"""Channel ids clients join on: M3U tvg-id, XMLTV ids and the HDHomeRun lineup, over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest
from ipytv import playlist
from starlette.applications import Starlette

from retrovue.infra.admin_services import (
    AssetAdminService,
    ChannelAdminService,
    TemplateAdminService,
)
from retrovue.infra.db import Database, open_database
from retrovue.runtime.clients import ClientDoors
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator
from retrovue.schedule_manager.schedule_service import ScheduleService
from retrovue.schedule_manager.xmltv import render_xmltv

NOW = dt.datetime(2026, 11, 30, 15, 7, tzinfo=dt.UTC)
NUMBERS = (1, 10, 100)


def plan_station(db: Database, media: Path) -> None:
    """Channels 1, 10 and 100 airing the same sitcom block, planned for the next hours."""
    media.write_bytes(b"\0")
    for episode in range(1, 4):
        AssetAdminService(db).add_asset(
            f"Episode {episode}", 22 * 60_000, str(media), ["sitcom"], canonical=True,
            series="Sitcom", episode=episode,
        )  # fmt: skip
    TemplateAdminService(db).create_template("sitcoms")
    TemplateAdminService(db).add_block("sitcoms", 360, 360, {"tags": ["sitcom"]})
    for number in NUMBERS:
        ChannelAdminService(db).create_channel(
            number, f"Channel {number}", default_template="sitcoms"
        )
    ScheduleOrchestrator(db, horizon_hours=4).run_once(NOW)


def fetch(db: Database, *paths: str) -> list[httpx.Response]:
    """GET `paths` from the station's client routes as `retrovue-station` mounts them."""
    service = ScheduleService(db)

    def guide(start: dt.datetime, end: dt.datetime, *, base_url: str | None = None) -> bytes:
        return render_xmltv(service, start, end, base_url=base_url)

    doors = ClientDoors.build(
        service, lambda: NOW, guide, host="127.0.0.1", port=8420, tuner_count=2
    )
    transport = httpx.ASGITransport(app=Starlette(routes=doors.routes))

    async def get_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=transport, base_url="http://station.test") as http:
            return [await http.get(path) for path in paths]

    return asyncio.run(get_all())


def _never_nested(values: list[str]) -> None:
    """No value is a prefix or a suffix of another: a client cannot merge two on either end."""
    for a, b in itertools.permutations(values, 2):
        assert not b.startswith(a) and not b.endswith(a), (a, b)


@pytest.fixture
def served(migrated: Database, tmp_path: Path) -> dict[str, Any]:
    plan_station(migrated, tmp_path / "media.mp4")
    m3u, xmltv, lineup = fetch(migrated, "/iptv/channels.m3u", "/iptv/xmltv.xml", "/lineup.json")
    return {
        "device_id": ScheduleService(migrated).device_id(),
        "m3u": playlist.loads(m3u.text),
        "xmltv": ET.fromstring(xmltv.content),
        "lineup": lineup.json(),
    }


def test_ids_of_channels_1_10_and_100_carry_the_station_token_and_nest_in_no_way(
    served: dict[str, Any],
) -> None:
    channels = served["xmltv"].findall("channel")
    ids = {int(c.findtext("display-name")): c.attrib["id"] for c in channels}
    assert sorted(ids) == list(NUMBERS)
    token = served["device_id"].lower()
    for number, channel_id in ids.items():
        assert f".{token}." in channel_id, channel_id
        assert not channel_id[0].isdigit(), "a leading number is what clients merged on"
        assert f"ch{number}." in channel_id
    _never_nested(list(ids.values()))
    _never_nested([entry["URL"] for entry in served["lineup"]])
    assert [entry["GuideNumber"] for entry in served["lineup"]] == ["1", "10", "100"]


def test_m3u_tvg_ids_xmltv_channel_ids_and_programme_channels_agree(
    served: dict[str, Any],
) -> None:
    guide = served["xmltv"]
    by_number = {}
    for channel in guide.findall("channel"):
        names = [n.text for n in channel.findall("display-name")]
        number = names[0]
        assert f"{number} Channel {number}" in names, "display names keep the number"
        by_number[number] = channel.attrib["id"]
    tvg = {c.attributes["tvg-chno"]: c.attributes["tvg-id"] for c in served["m3u"].get_channels()}
    assert tvg == by_number
    programmes: dict[str, int] = {}
    for programme in guide.findall("programme"):
        programmes[programme.attrib["channel"]] = programmes.get(programme.attrib["channel"], 0) + 1
    assert set(programmes) == set(by_number.values())
    assert all(count >= 4 for count in programmes.values()), programmes


def test_two_stations_give_the_same_channel_number_different_ids(
    migrated: Database, tmp_path: Path
) -> None:
    other = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        ids = []
        for db in (migrated, other):
            ChannelAdminService(db).create_channel(2, "Two")
            ids.append(ScheduleService(db).channel(2).xmltv_id)
        tokens = [ScheduleService(db).device_id().lower() for db in (migrated, other)]
    finally:
        other.dispose()
    assert ids == [f"ch2.{tokens[0]}.retrovue", f"ch2.{tokens[1]}.retrovue"]
    assert ids[0] != ids[1]
