"""The guide page's entries: a program whose breaks straddle the window's edge keeps its title."""

from __future__ import annotations

import datetime as dt

from retrovue.runtime.pages import guide_items
from retrovue.runtime.pages.guide import OFF_AIR, programmes
from retrovue.schedule_manager.airing import ScheduledItem

START = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC)


def _item(
    event_id: int, start_min: int, end_min: int, kind: str, title: str | None
) -> ScheduledItem:
    start = START + dt.timedelta(minutes=start_min)
    return ScheduledItem(
        event_id=event_id,
        channel_number=2,
        broadcast_day=START.date(),
        start_utc=start,
        end_utc=START + dt.timedelta(minutes=end_min),
        kind=kind,
        in_point_ms=0,
        program_group=int((START - dt.timedelta(minutes=30)).timestamp()),
        asset_id=event_id,
        title=title,
    )


class Schedule:
    """The playlog of one slot: a program from 17:30 to 17:58, then its break to 18:00+."""

    def __init__(self) -> None:
        self.items = [
            _item(1, -30, -2, "program", "Night Court"),
            _item(2, -2, 2, "commercial", "Cola"),
        ]

    def items_between(
        self, number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]:
        return [i for i in self.items if i.end_utc > start and i.start_utc < end]

    guide_between = items_between  # the fake keeps one tier for both


def test_a_break_straddling_the_window_edge_is_titled_by_its_program() -> None:
    schedule = Schedule()
    window = schedule.items_between(2, START, START + dt.timedelta(hours=3))
    assert [e.title for e in programmes(window)] == [OFF_AIR]  # what the edge alone shows
    items = guide_items(schedule.items_between, 2, START, START + dt.timedelta(hours=3))
    entries = programmes(items)
    assert [e.title for e in entries] == ["Night Court"]
    assert entries[0].start == START - dt.timedelta(minutes=30)
