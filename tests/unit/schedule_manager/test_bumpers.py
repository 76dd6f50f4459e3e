"""Bumpers that know their side: what opens a break, what closes it, judged on planned days."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from retrovue.schedule_manager.breaks import BreakFiller, Event
from retrovue.schedule_manager.catalog import Catalog, Entry
from retrovue.schedule_manager.planner import Block, ChannelPlanner
from retrovue.schedule_manager.rules import Selector
from retrovue.schedule_manager.timemath import ChannelClock

MIN = 60_000
DAY = dt.date(2026, 12, 1)
INTO, INTO_2, OUT_OF, EITHER = 201, 202, 203, 204
BUMPERS = {
    INTO: {"bumper", "bumper-in"},  # "We'll be right back"
    INTO_2: {"bumper-in"},
    OUT_OF: {"bumper", "bumper-out"},  # "And now back to"
    EITHER: {"bumper"},
}


def catalog(bumpers: dict[int, set[str]]) -> Catalog:
    """Sitcoms with two chapter marks each, four spots, and the given bumpers (5 s each)."""
    programs = [
        Entry(i, "program", 26 * MIN, f"P{i}", frozenset({"sitcom"}), breaks=(8 * MIN, 16 * MIN))
        for i in range(1, 5)
    ]
    spots = [
        Entry(100 + i, "commercial", 30_000, f"Ad {i}", frozenset({"commercial"})) for i in range(4)
    ]
    marks = [
        Entry(asset_id, "bumper", 5_000, f"Bumper {asset_id}", frozenset(tags))
        for asset_id, tags in bumpers.items()
    ]
    return Catalog([*programs, *spots, *marks])


def breaks_of(rule: dict[str, Any], bumpers: dict[int, set[str]]) -> list[list[Event]]:
    """Every break of a planned day: each run of events between program parts."""
    cat = catalog(bumpers)
    planner = ChannelPlanner(4, ChannelClock("UTC"), Selector(cat), BreakFiller(cat))
    full = {"tags": ["sitcom"], "order": "least_recently_used", **rule}
    events = planner.events(planner.plan_day(DAY, [Block(360, 360, full)], {}, 0))
    runs = itertools.groupby(events, key=lambda e: (e.program_group, e.kind == "program"))
    found = [list(run) for (_, is_program), run in runs if not is_program]
    assert len(found) >= 48 * 2, "every half-hour slot has breaks to judge"
    return found


def test_breaks_open_with_an_into_break_bumper_and_close_with_an_out_of_break_one() -> None:
    rule = {"bumper_in_tags": ["bumper-in"], "bumper_out_tags": ["bumper-out"]}
    for found in breaks_of(rule, BUMPERS):
        assert found[0].asset_id in (INTO, INTO_2), found
        assert found[-1].asset_id == OUT_OF, found
        inner = {e.asset_id for e in found[1:-1]}
        assert inner.isdisjoint(BUMPERS), "no bumper airs inside a break"


def test_either_side_bumper_tags_never_air_a_bumper_named_for_the_other_side() -> None:
    rule = {"bumper_tags": ["bumper"], "bumper_out_tags": ["bumper-out"]}
    openers = set()
    closers = set()
    for found in breaks_of(rule, BUMPERS):
        openers.add(found[0].asset_id)
        closers.add(found[-1].asset_id)
    # INTO and EITHER carry only "bumper" of this rule's tags: either side. OUT_OF carries
    # "bumper-out" too: it only closes. INTO_2 carries no tag of this rule: it never airs.
    assert openers == {INTO, EITHER}
    assert OUT_OF in closers and closers <= {INTO, OUT_OF, EITHER}


def test_old_rules_with_bumper_tags_alone_open_and_close_every_break_with_two_bumpers() -> None:
    plain = {INTO: {"bumper"}, OUT_OF: {"bumper"}}
    for found in breaks_of({"bumper_tags": ["bumper"]}, plain):
        assert {found[0].asset_id, found[-1].asset_id} == {INTO, OUT_OF}


def test_a_lone_either_side_bumper_both_opens_and_closes_a_break() -> None:
    for found in breaks_of({"bumper_tags": ["bumper"]}, {EITHER: {"bumper"}}):
        assert found[0].asset_id == found[-1].asset_id == EITHER


def test_a_rule_with_only_an_opening_side_closes_its_breaks_without_a_bumper() -> None:
    for found in breaks_of({"bumper_in_tags": ["bumper-in"]}, BUMPERS):
        assert found[0].asset_id in (INTO, INTO_2)
        assert all(e.asset_id not in BUMPERS for e in found[1:])


def test_without_bumper_tags_breaks_hold_spots_and_pad_only() -> None:
    for found in breaks_of({}, BUMPERS):
        assert all(e.kind in ("commercial", "slate") for e in found)
