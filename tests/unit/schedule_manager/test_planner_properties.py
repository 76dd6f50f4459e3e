"""Properties of planned days over random zones, grids, templates and catalogs."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrovue.schedule_manager.breaks import BreakFiller, Event
from retrovue.schedule_manager.catalog import Catalog, Entry
from retrovue.schedule_manager.planner import Block, ChannelPlanner
from retrovue.schedule_manager.rules import Book, Selector
from retrovue.schedule_manager.timemath import ChannelClock, GridIndex

ZONES = ("America/New_York", "Australia/Lord_Howe", "Europe/Berlin", "UTC")
DAYS = (dt.date(2026, 3, 7), dt.date(2026, 10, 31), dt.date(2026, 4, 4), dt.date(2026, 10, 3))
TAGS = ("sitcom", "drama", "movie")


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    entries: list[Entry] = []
    for i in range(draw(st.integers(1, 12))):
        duration = draw(st.integers(60_000, 130 * 60_000))
        marks = draw(st.lists(st.integers(1, duration - 1), max_size=4))
        entries.append(
            Entry(
                id=i + 1,
                kind="program",
                duration_ms=duration,
                title=f"Program {i}",
                tags=frozenset({draw(st.sampled_from(TAGS))}),
                series=draw(st.sampled_from((None, "A", "B"))),
                episode=i,
                breaks=tuple(sorted(set(marks))),
            )
        )
    for j in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(("commercial", "promo", "bumper", "station_id")))
        entries.append(
            Entry(
                id=1000 + j,
                kind=kind,
                duration_ms=draw(st.sampled_from((5_000, 10_000, 15_000, 30_000, 60_000))),
                title=f"Spot {j}",
                tags=frozenset({"bumper" if kind == "bumper" else "commercial"}),
            )
        )
    return Catalog(entries)


@st.composite
def rules(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "tags": [draw(st.sampled_from(TAGS))],
        "order": draw(st.sampled_from(("sequential", "random", "shuffle", "least_recently_used"))),
        "overrun": draw(st.sampled_from(("extend", "skip"))),
        "breaks": draw(st.sampled_from(("chapters", "even", "end", "none"))),
        "break_count": draw(st.integers(0, 4)),
        "bumper_tags": draw(st.sampled_from(([], ["bumper"]))),
        "bumper_in_tags": draw(st.sampled_from(([], ["bumper"], ["commercial"]))),
        "bumper_out_tags": draw(st.sampled_from(([], ["bumper"]))),
        "pad": draw(st.sampled_from(("slate", "black"))),
    }


def _blocks(draw: st.DrawFn, grid: int, rollover: int) -> list[Block]:
    slots = 1440 // grid
    cuts = sorted(set(draw(st.lists(st.integers(1, slots - 1), max_size=5))))
    edges = [0, *cuts, slots]
    blocks = []
    for start, end in itertools.pairwise(edges):
        if draw(st.booleans()) or len(edges) == 2:
            s, e = (rollover + start * grid) % 1440, (rollover + end * grid) % 1440
            blocks.append(Block(s, e, draw(rules())))
    return blocks


def _check_day(grid: GridIndex, events: list[Event], catalog: Catalog, start: int) -> None:
    assert events, "a day always has events"
    assert events[0].start_ms == start
    for before, after in itertools.pairwise(events):
        assert before.end_ms == after.start_ms, "contiguous: no gap, no overlap"
    groups: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        assert event.end_ms > event.start_ms
        if event.asset_id is None:
            assert event.kind in ("slate", "black")
        else:
            assert event.asset_id in catalog.entries, "only catalog (canonical) assets"
        groups[event.program_group].append(event)
    for group in groups.values():
        first, last = group[0], group[-1]
        assert grid.ceil(first.start_ms) == first.start_ms, "every entry starts on the grid"
        assert grid.ceil(last.end_ms) == last.end_ms, "every slot ends exactly on the grid"
        parts = [e for e in group if e.kind == "program"]
        if parts:
            entry = catalog.entries[parts[0].asset_id or 0]
            assert [p.in_point_ms for p in parts] == sorted(p.in_point_ms for p in parts)
            assert sum(p.end_ms - p.start_ms for p in parts) == entry.duration_ms
            for part, following in itertools.pairwise(parts):
                assert part.in_point_ms + part.end_ms - part.start_ms == following.in_point_ms


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_planned_days_are_contiguous_on_the_grid_and_fill_every_slot_exactly(
    data: st.DataObject,
) -> None:
    grid = data.draw(st.sampled_from((15, 30, 60)))
    offset = data.draw(st.sampled_from(tuple(range(0, grid, 15))))
    rollover = (offset + grid * data.draw(st.integers(0, 1440 // grid - 1))) % 1440
    if data.draw(st.booleans()):
        rollover = 300 if (300 - offset) % grid == 0 else rollover
    clock = ChannelClock(data.draw(st.sampled_from(ZONES)), grid, offset, rollover)
    catalog = data.draw(catalogs())
    blocks = _blocks(data.draw, grid, rollover)
    planner = ChannelPlanner(7, clock, Selector(catalog), BreakFiller(catalog))
    day = data.draw(st.sampled_from(DAYS))
    book: Book = {}
    carry = clock.day_start_ms(day)
    for offset_days in range(2):
        current = day + dt.timedelta(days=offset_days)
        start, end = clock.day_span_ms(current)
        plan = planner.plan_day(current, blocks, book, carry)
        # The planner's grid also holds block edges moved out of a DST gap.
        _check_day(planner.grid, planner.events(plan), catalog, max(start, carry))
        assert plan.end_ms >= end, "each broadcast day covers rollover to rollover"
        if plan.end_ms > end:
            last_group = plan.entries[-1].program_group
            assert last_group * 1000 < end, "only a program begun in the day runs past it"
        carry = plan.end_ms


def test_random_order_rebuilds_the_same_day() -> None:
    catalog = Catalog(
        Entry(i, "program", 22 * 60_000, f"P{i}", frozenset({"sitcom"})) for i in range(1, 30)
    )
    clock = ChannelClock("UTC")
    block = Block(360, 360, {"tags": ["sitcom"], "order": "random", "filler_tags": []})

    def build() -> list[Event]:
        planner = ChannelPlanner(3, clock, Selector(catalog), BreakFiller(catalog))
        return planner.events(planner.plan_day(dt.date(2026, 12, 1), [block], {}, 0))

    assert build() == build()


def test_shuffle_airs_the_whole_pool_before_repeating() -> None:
    catalog = Catalog(
        Entry(i, "program", 30 * 60_000, f"P{i}", frozenset({"sitcom"})) for i in range(1, 11)
    )
    clock = ChannelClock("UTC")
    block = Block(360, 360, {"tags": ["sitcom"], "order": "shuffle", "filler_tags": []})
    planner = ChannelPlanner(3, clock, Selector(catalog), BreakFiller(catalog))
    events = planner.events(planner.plan_day(dt.date(2026, 12, 1), [block], {}, 0))
    aired = [e.asset_id for e in events if e.kind == "program"]
    assert sorted(aired[:10]) == list(range(1, 11))
    assert sorted(aired[10:20]) == list(range(1, 11))


def test_a_block_nothing_matches_airs_slate_with_the_reason() -> None:
    catalog = Catalog([Entry(1, "program", 60_000, "P", frozenset({"news"}))])
    clock = ChannelClock("UTC")
    planner = ChannelPlanner(3, clock, Selector(catalog), BreakFiller(catalog))
    plan = planner.plan_day(dt.date(2026, 12, 1), [Block(360, 420, {"tags": ["sitcom"]})], {}, 0)
    first = planner.events(plan)[0]
    assert first.kind == "slate" and first.note is not None and "06:00-07:00" in first.note
    assert plan.warnings and "no canonical, available asset" in plan.warnings[0]
