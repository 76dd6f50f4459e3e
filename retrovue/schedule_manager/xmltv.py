"""The guide as XMLTV: one programme per guide entry (its breaks fold into it)."""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, select

from retrovue.infra.db import Database
from retrovue.schedule_manager.airing import ChannelInfo, ScheduledItem
from retrovue.schedule_manager.models import CatalogAsset
from retrovue.schedule_manager.schedule_service import ScheduleService

ASSETS = cast(Table, CatalogAsset.__table__)
MPAA = frozenset({"G", "PG", "PG-13", "R", "NC-17"})
OFF_AIR = "Off Air"


def _stamp(instant: dt.datetime, zone: Any) -> str:
    return instant.astimezone(zone).strftime("%Y%m%d%H%M%S %z")


def _text(parent: ET.Element, tag: str, value: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = value
    return element


def _channel(root: ET.Element, info: ChannelInfo) -> None:
    element = ET.SubElement(root, "channel", id=info.xmltv_id)
    for name in (str(info.number), info.name, f"{info.number} {info.name}"):
        _text(element, "display-name", name)
    if info.logo:
        ET.SubElement(element, "icon", src=info.logo)


def _entries(items: list[ScheduledItem]) -> Iterable[tuple[list[ScheduledItem], int | None]]:
    """Guide entries: items grouped by program group; runs of pure slate merge into one."""
    groups = [list(g) for _, g in itertools.groupby(items, key=lambda i: i.program_group)]
    pending: list[ScheduledItem] = []
    for group in groups:
        program = next((i for i in group if i.kind == "program"), None)
        if program is None and all(i.asset_id is None for i in group):
            pending.extend(group)
            continue
        if pending:
            yield pending, None
            pending = []
        yield group, (program or group[0]).asset_id
    if pending:
        yield pending, None


def _programme(
    root: ET.Element, info: ChannelInfo, zone: Any, group: list[ScheduledItem], asset: Any
) -> None:
    element = ET.SubElement(
        root,
        "programme",
        start=_stamp(group[0].start_utc, zone),
        stop=_stamp(group[-1].end_utc, zone),
        channel=info.xmltv_id,
    )
    if asset is None:
        _text(element, "title", OFF_AIR)
        return
    _text(element, "title", asset.series or asset.title)
    subtitle = asset.episode_title or (asset.title if asset.series else None)
    if subtitle and subtitle != (asset.series or asset.title):
        _text(element, "sub-title", subtitle)
    if asset.description:
        _text(element, "desc", asset.description)
    if asset.air_date is not None:
        _text(element, "date", asset.air_date.strftime("%Y%m%d"))
    elif asset.year:
        _text(element, "date", str(asset.year))
    for tag in list(asset.tags or [])[:3]:
        _text(element, "category", str(tag))
    if asset.episode is not None:
        season = f"{asset.season - 1}" if asset.season else ""
        _text(element, "episode-num", f"{season}.{asset.episode - 1}.", system="xmltv_ns")
        onscreen = f"S{asset.season or 0:02d}E{asset.episode:02d}"
        _text(element, "episode-num", onscreen, system="onscreen")
    if asset.air_date is not None:
        ET.SubElement(element, "previously-shown", start=asset.air_date.strftime("%Y%m%d"))
    if asset.rating:
        rating = ET.SubElement(
            element, "rating", system="MPAA" if asset.rating.upper() in MPAA else "VCHIP"
        )
        _text(rating, "value", asset.rating)


def render_xmltv(
    source: ScheduleService | Database,
    start: dt.datetime,
    end: dt.datetime,
    channels: Iterable[int] | None = None,
) -> bytes:
    """XMLTV of every active channel (or `channels`) for programmes overlapping [start, end)."""
    service = source if isinstance(source, ScheduleService) else ScheduleService(source)
    infos = [c for c in service.list_channels() if channels is None or c.number in set(channels)]
    root = ET.Element("tv", {"generator-info-name": "RetroVue", "source-info-name": "RetroVue"})
    for info in infos:
        _channel(root, info)
    schedules = {info.number: service.items_between(info.number, start, end) for info in infos}
    wanted = {i.asset_id for items in schedules.values() for i in items if i.asset_id}
    assets: dict[int, Any] = {}
    with service.db.reading() as session:
        ids = sorted(wanted)
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            for row in session.execute(select(ASSETS).where(ASSETS.c.id.in_(chunk))):
                assets[row.id] = row
    for info in infos:
        zone = ZoneInfo(info.timezone)
        for group, asset_id in _entries(schedules[info.number]):
            _programme(root, info, zone, group, assets.get(asset_id) if asset_id else None)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    header = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tv SYSTEM "xmltv.dtd">\n'
    return (header + body + "\n").encode("utf-8")
