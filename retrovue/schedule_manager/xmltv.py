"""The guide as XMLTV, from the EPG tier: one programme per guide entry (breaks fold into it)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any, NamedTuple, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, select

from retrovue.infra.db import Database
from retrovue.schedule_manager.airing import ChannelInfo, ScheduledItem
from retrovue.schedule_manager.models import CatalogAsset
from retrovue.schedule_manager.schedule_service import ScheduleService

ASSETS = cast(Table, CatalogAsset.__table__)
MPAA = frozenset({"G", "PG", "PG-13", "R", "NC-17"})
OFF_AIR = "Off Air"


# XML 1.0's Char production; anything else (a control character in an .nfo plot) is dropped,
# since ElementTree writes it as is and the document would no longer parse.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value: str) -> str:
    """`value` without the characters XML 1.0 forbids."""
    return _NOT_XML_CHAR.sub("", value)


def _stamp(instant: dt.datetime, zone: Any) -> str:
    return instant.astimezone(zone).strftime("%Y%m%d%H%M%S %z")


def _element(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})


def _text(parent: ET.Element, tag: str, value: str, **attrs: str) -> ET.Element:
    element = _element(parent, tag, **attrs)
    element.text = xml_safe(value)
    return element


def icon_url(info: ChannelInfo, base_url: str | None) -> str | None:
    """A logo a guide client can fetch: a URL as given, a local file through the station."""
    if not info.logo:
        return None
    if info.logo.startswith(("http://", "https://")):
        return info.logo
    if base_url is None:
        return None  # a path on this machine means nothing to whoever reads the file
    return f"{base_url.rstrip('/')}/iptv/logo/{info.number}"


def _channel(root: ET.Element, info: ChannelInfo, base_url: str | None) -> None:
    element = _element(root, "channel", id=info.xmltv_id)
    for name in (str(info.number), info.name, f"{info.number} {info.name}"):
        _text(element, "display-name", name)
    icon = icon_url(info, base_url)
    if icon is not None:
        _element(element, "icon", src=icon)


def xmltv_ns(season: int | None, episode: int | None) -> str | None:
    """The zero-based `season.episode.` number; None when neither part can be given.

    Zero-based, xmltv_ns has no way to say "episode 0" (a pilot before episode 1) or
    "season 0" (specials): such a part is left empty, which the format reads as unknown,
    and the onscreen number keeps the catalog's own numbering.
    """
    parts = ["" if n is None or n < 1 else str(n - 1) for n in (season, episode)]
    return None if parts == ["", ""] else f"{parts[0]}.{parts[1]}."


def onscreen(season: int | None, episode: int) -> str:
    """`S01E02` as the catalog numbers it; `E02` when the season is not known."""
    return f"E{episode:02d}" if season is None else f"S{season:02d}E{episode:02d}"


class Entry(NamedTuple):
    """One guide entry: its span and the program titling it (None: Off Air)."""

    start: dt.datetime
    stop: dt.datetime
    asset_id: int | None


GUIDE_TITLE = "Program Guide"


def _entries(items: list[ScheduledItem]) -> list[Entry]:
    """Guide entries from the EPG tier: a programme's slot is titled by its programme; slate
    is Off Air, and adjacent Off Air runs merge."""
    entries: list[Entry] = []
    for item in items:
        asset_id = item.asset_id if item.kind == "program" else None
        previous = entries[-1] if entries else None
        if asset_id is None and previous is not None and previous.asset_id is None:
            entries[-1] = previous._replace(stop=item.end_utc)
        else:
            entries.append(Entry(item.start_utc, item.end_utc, asset_id))
    return entries


def _programme(root: ET.Element, info: ChannelInfo, zone: Any, entry: Entry, asset: Any) -> None:
    element = _element(
        root,
        "programme",
        start=_stamp(entry.start, zone),
        stop=_stamp(entry.stop, zone),
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
        numbered = xmltv_ns(asset.season, asset.episode)
        if numbered is not None:
            _text(element, "episode-num", numbered, system="xmltv_ns")
        _text(element, "episode-num", onscreen(asset.season, asset.episode), system="onscreen")
    if asset.air_date is not None:
        _element(element, "previously-shown", start=asset.air_date.strftime("%Y%m%d"))
    if asset.rating:
        rating = _element(
            element, "rating", system="MPAA" if asset.rating.upper() in MPAA else "VCHIP"
        )
        _text(rating, "value", asset.rating)


def _guide_programmes(
    root: ET.Element, info: ChannelInfo, zone: Any, start: dt.datetime, end: dt.datetime
) -> None:
    """A guide channel airs the TV guide: one "Program Guide" an hour across the window."""
    hour = start.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    while hour < end:
        element = _element(
            root, "programme", start=_stamp(hour, zone),
            stop=_stamp(hour + dt.timedelta(hours=1), zone), channel=info.xmltv_id,
        )  # fmt: skip
        _text(element, "title", GUIDE_TITLE)
        _text(element, "desc", "What is on every channel now and over the next 90 minutes.")
        hour += dt.timedelta(hours=1)


def render_xmltv(
    source: ScheduleService | Database,
    start: dt.datetime,
    end: dt.datetime,
    channels: Iterable[int] | None = None,
    *,
    base_url: str | None = None,
) -> bytes:
    """XMLTV of every active channel (or `channels`) for programmes overlapping [start, end).

    `base_url` is the station's address as the reader reaches it: channel icons of local logo
    files become its `/iptv/logo/N`; without it only logos that are already URLs are given.
    """
    db = source if isinstance(source, Database) else source.database
    service = ScheduleService(db)
    wanted = None if channels is None else set(channels)  # read once: it may be an iterator
    infos = [c for c in service.list_channels() if wanted is None or c.number in wanted]
    root = ET.Element("tv", {"generator-info-name": "RetroVue", "source-info-name": "RetroVue"})
    for info in infos:
        _channel(root, info, base_url)
    entries = {info.number: _entries(service.guide_between(info.number, start, end))
               for info in infos}  # fmt: skip
    assets: dict[int, Any] = {}
    with db.reading() as session:
        ids = sorted({e.asset_id for rows in entries.values() for e in rows if e.asset_id})
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            for row in session.execute(select(ASSETS).where(ASSETS.c.id.in_(chunk))):
                assets[row.id] = row
    for info in infos:
        zone = ZoneInfo(info.timezone)
        if info.kind == "guide":
            _guide_programmes(root, info, zone, start, end)
            continue
        for entry in entries[info.number]:
            asset = assets.get(entry.asset_id) if entry.asset_id else None
            _programme(root, info, zone, entry, asset)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    header = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tv SYSTEM "xmltv.dtd">\n'
    return (header + body + "\n").encode("utf-8")
