"""The TV guide page at `/`: channels as rows, the next hours of programmes, "now" marked."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Final
from zoneinfo import ZoneInfo

from retrovue.runtime.pages.layout import page
from retrovue.schedule_manager.airing import ChannelInfo, ScheduledItem

GUIDE_HOURS: Final = 3
STEP: Final = dt.timedelta(minutes=30)
OFF_AIR: Final = "Station break"


@dataclass(frozen=True)
class Programme:
    """One guide entry: a program with its breaks, or a run of filler."""

    title: str
    start: dt.datetime
    end: dt.datetime
    kind: str

    def airing(self, at: dt.datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class GuideRow:
    channel: ChannelInfo
    programmes: list[Programme]


def window_start(now: dt.datetime) -> dt.datetime:
    """The guide starts on the half hour at or before `now`."""
    utc = now.astimezone(dt.UTC)
    return utc.replace(minute=utc.minute - utc.minute % 30, second=0, microsecond=0)


def programmes(items: Sequence[ScheduledItem]) -> list[Programme]:
    """The playlog's items as guide entries: one per program group, titled by its program."""
    entries: list[Programme] = []
    for _, grouped in itertools.groupby(items, key=lambda item: item.program_group):
        group = list(grouped)
        program = next((i for i in group if i.kind == "program" and i.title), None)
        title = program.title if program is not None and program.title else OFF_AIR
        entry = Programme(title, group[0].start_utc, group[-1].end_utc, group[0].kind)
        previous = entries[-1] if entries else None
        if previous is not None and previous.title == OFF_AIR and title == OFF_AIR:
            entries[-1] = Programme(OFF_AIR, previous.start, entry.end, previous.kind)
        else:
            entries.append(entry)
    return entries


def _clock(instant: dt.datetime, zone: dt.tzinfo) -> str:
    return instant.astimezone(zone).strftime("%H:%M")


def _cell(
    entry: Programme, start: dt.datetime, end: dt.datetime, now: dt.datetime, tz: dt.tzinfo
) -> str:
    span = (end - start).total_seconds()
    left = max(entry.start, start)
    right = min(entry.end, end)
    width = 100 * (right - left).total_seconds() / span
    css = "prog now" if entry.airing(now) else "prog"
    if entry.title == OFF_AIR:
        css += " filler"
    when = f"{_clock(entry.start, tz)}-{_clock(entry.end, tz)}"
    return (
        f'<div class="{css}" style="width:{width:.3f}%" title="{escape(when)}">'
        f"<b>{escape(entry.title)}</b><small>{escape(when)}</small></div>"
    )


def render_guide(
    rows: Sequence[GuideRow], now: dt.datetime, start: dt.datetime, *, zone: str = "UTC"
) -> str:
    """The whole page: a time ruler, then one row per channel; cells are sized by duration."""
    end = start + dt.timedelta(hours=GUIDE_HOURS)
    tz = ZoneInfo(zone)
    ticks = int((end - start) / STEP)
    ruler = "".join(
        f'<div class="tick" style="width:{100 / ticks:.3f}%">{_clock(start + STEP * i, tz)}</div>'
        for i in range(ticks)
    )
    marker = 100 * (now - start).total_seconds() / (end - start).total_seconds()
    body = []
    for row in rows:
        number, name = row.channel.number, escape(row.channel.name)
        cells = "".join(
            _cell(p, start, end, now, tz) for p in row.programmes if p.end > start and p.start < end
        )
        if not cells:
            cells = '<div class="prog filler" style="width:100%"><b>No schedule</b></div>'
        body.append(
            f'<div class="row"><a class="chan" href="/watch/{number}">'
            f"<span>{number}</span>{name}</a>"
            f'<div class="lane">{cells}<i class="marker" style="left:{marker:.3f}%"></i></div>'
            "</div>"
        )
    if not rows:
        body.append('<p class="empty">No channels yet: add one with `retrovue channel add`.</p>')
    content = (
        f'<div class="row head"><div class="chan">{_clock(now, tz)} {escape(zone)}</div>'
        f'<div class="lane">{ruler}</div></div>' + "".join(body)
    )
    return page("RetroVue guide", "TV guide", content, refresh_s=60)
