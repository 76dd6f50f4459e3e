"""What the guide channel's grid shows, worked out from plain schedule data (no drawing)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from retrovue.runtime.pages.guide import OFF_AIR, programmes
from retrovue.schedule_manager.airing import ChannelInfo, ScheduledItem

SPAN: Final = dt.timedelta(minutes=90)
STEP: Final = dt.timedelta(minutes=30)
MINUTE: Final = dt.timedelta(minutes=1)
TO_BE_ANNOUNCED: Final = "Programming to be announced"


@dataclass(frozen=True, slots=True)
class Cell:
    """One box of a row: where it sits in the window (fractions 0..1) and what it says."""

    title: str
    left: float
    right: float
    when: str
    now: bool = False
    filler: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    number: int
    name: str
    logo: str | None
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class GuideLayout:
    """Everything one guide still shows; equal layouts draw the same picture."""

    station: str
    clock: str
    ticks: tuple[str, ...]
    rows: tuple[Row, ...]
    now: float  # where "now" falls in the window, 0..1


def grid_start(now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The window opens on the local half hour at or before `now` (zones off by :30 or :45
    from UTC still get a ruler on their own half hours)."""
    local = now.astimezone(zone).replace(second=0, microsecond=0)
    return local.replace(minute=local.minute - local.minute % 30).astimezone(dt.UTC)


def window(now: dt.datetime, zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The span the guide shows at `now` (UTC): ask the schedule for the items in it."""
    start = grid_start(now, ZoneInfo(zone))
    return start, start + SPAN


def _clock(instant: dt.datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%H:%M")


def _gated(item: ScheduledItem) -> ScheduledItem:
    """A programme runtime will not air (no longer canonical or available) is not announced."""
    if item.kind == "program" and not (item.canonical and item.available):
        return dataclasses.replace(item, title=None)
    return item


def _cells(
    items: Sequence[ScheduledItem], start: dt.datetime, now: dt.datetime, zone: ZoneInfo
) -> tuple[Cell, ...]:
    end = start + SPAN
    span = SPAN.total_seconds()

    def place(title: str, a: dt.datetime, b: dt.datetime, filler: bool, when: str) -> Cell:
        left = max((a - start).total_seconds(), 0.0) / span
        right = min((b - start).total_seconds(), span) / span
        # A hole is no entry: only what the playlog holds is highlighted as airing.
        return Cell(title, left, right, when, a <= now < b and bool(when), filler)

    cells: list[Cell] = []
    cursor = start
    entries = [p for p in programmes([_gated(i) for i in items]) if p.end > start and p.start < end]
    for entry in entries:
        if entry.start > cursor:  # a hole in the horizon
            cells.append(place(TO_BE_ANNOUNCED, cursor, entry.start, True, ""))
        when = f"{_clock(entry.start, zone)}-{_clock(entry.end, zone)}"
        cells.append(place(entry.title, entry.start, entry.end, entry.title == OFF_AIR, when))
        cursor = max(cursor, entry.end)
    if cursor < end:
        cells.append(place(TO_BE_ANNOUNCED, cursor, end, True, ""))
    return tuple(cells)


def build_layout(
    station: str,
    zone: str,
    now: dt.datetime,
    channels: Sequence[ChannelInfo],
    items: Mapping[int, Sequence[ScheduledItem]],
) -> GuideLayout:
    """The grid for `now`: active channels by number, their items in `window(now, zone)`
    merged into guide entries (breaks and pad join their programme), holes "to be
    announced"."""
    tz = ZoneInfo(zone)
    start = grid_start(now, tz)
    rows = tuple(
        Row(c.number, c.name, c.logo, _cells(items.get(c.number, ()), start, now, tz))
        for c in sorted(channels, key=lambda c: c.number)
        if c.active
    )
    ticks = tuple(_clock(start + STEP * i, tz) for i in range(int(SPAN / STEP)))
    # The marker moves with the clock, a step a minute, so one still lasts a whole minute.
    minutes = (now - start) // dt.timedelta(minutes=1)
    return GuideLayout(station, _clock(now, tz), ticks, rows, minutes / (SPAN / MINUTE))
