"""Each selection and layout key of rule_json v1, judged on the day the planner lays out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from retrovue.schedule_manager.breaks import BreakFiller, Event
from retrovue.schedule_manager.catalog import Catalog, Entry
from retrovue.schedule_manager.planner import Block, ChannelPlanner
from retrovue.schedule_manager.rules import Selector
from retrovue.schedule_manager.timemath import ChannelClock

MIN = 60_000
DAY = dt.date(2026, 12, 1)
DAY_START = int(dt.datetime(2026, 12, 1, 6, tzinfo=dt.UTC).timestamp() * 1000)


def program(asset_id: int, tags: set[str], minutes: float = 22, rating: str | None = None) -> Entry:
    return Entry(asset_id, "program", round(minutes * MIN), f"P{asset_id}", frozenset(tags),
                 rating=rating)  # fmt: skip


def plan(entries: list[Entry], *blocks: Block) -> list[Event]:
    catalog = Catalog(entries)
    planner = ChannelPlanner(5, ChannelClock("UTC"), Selector(catalog), BreakFiller(catalog))
    return planner.events(planner.plan_day(DAY, list(blocks), {}, DAY_START))


def aired(entries: list[Entry], rule: dict[str, Any]) -> set[int | None]:
    """The programs a whole day of `rule` airs (least recently used: every admitted one airs)."""
    full = {"order": "least_recently_used", "breaks": "end", "filler_tags": [], **rule}
    return {e.asset_id for e in plan(entries, Block(360, 360, full)) if e.kind == "program"}


def test_any_tags_admits_a_program_carrying_at_least_one_of_them() -> None:
    entries = [
        program(1, {"sitcom", "funny"}),
        program(2, {"sitcom", "drama"}),
        program(3, {"sitcom"}),
        program(4, {"news", "funny"}),
    ]
    assert aired(entries, {"tags": ["sitcom"], "any_tags": ["funny", "drama"]}) == {1, 2}


def test_exclude_tags_refuses_a_program_carrying_any_of_them() -> None:
    entries = [program(1, {"sitcom"}), program(2, {"sitcom", "adult"}), program(3, {"sitcom"})]
    assert aired(entries, {"tags": ["sitcom"], "exclude_tags": ["adult", "news"]}) == {1, 3}


def test_max_rating_airs_only_programs_rated_at_or_below_it_and_never_unrated_ones() -> None:
    entries = [
        program(1, {"kids"}, rating="TV-Y"),
        program(2, {"kids"}, rating="TV-PG"),
        program(3, {"kids"}, rating="PG"),
        program(4, {"kids"}, rating="TV-14"),
        program(5, {"kids"}, rating="R"),
        program(6, {"kids"}),
    ]
    assert aired(entries, {"tags": ["kids"], "max_rating": "TV-PG"}) == {1, 2, 3}


def test_min_and_max_minutes_bound_the_running_time_inclusively() -> None:
    entries = [
        program(1, {"show"}, 21.9),
        program(2, {"show"}, 22),
        program(3, {"show"}, 45),
        program(4, {"show"}, 45.1),
        program(5, {"show"}, 95),
    ]
    rule = {"tags": ["show"], "min_minutes": 22, "max_minutes": 45}
    assert aired(entries, rule) == {2, 3}


def test_overrun_skip_airs_only_what_fits_the_block_and_extend_runs_past_its_end() -> None:
    # 06:00-07:30: after the first 45-minute program, 30 minutes are left.
    entries = [program(1, {"show"}, 45), program(2, {"show"}, 45), program(3, {"show"}, 22)]
    block_end = DAY_START + 90 * MIN
    for overrun, expected in (("skip", [1, 3]), ("extend", [1, 2])):
        rule = {
            "tags": ["show"], "order": "least_recently_used", "overrun": overrun,
            "breaks": "end", "filler_tags": [],
        }  # fmt: skip
        events = plan(entries, Block(360, 450, rule))
        in_block = [e for e in events if e.program_group * 1000 < block_end]
        assert [e.asset_id for e in in_block if e.kind == "program"] == expected
        last_end = max(e.end_ms for e in in_block)
        if overrun == "skip":
            assert last_end == block_end, "nothing runs past the block end"
        else:
            assert last_end == block_end + 30 * MIN, "the second program takes another slot"
