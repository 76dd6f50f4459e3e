"""The disk budget: sizes as operators write them, and what gives up its room first."""

from __future__ import annotations

import datetime as dt

import pytest

from retrovue.runtime.renditions.budget import eviction_order, over_budget, parse_size
from retrovue.schedule_manager.renditions import RenditionRecord, RenditionState

NOW = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def _record(
    asset_id: int,
    size: int = 100,
    made: dt.datetime = NOW - 10 * HOUR,
    aired: dt.datetime | None = None,
    state: RenditionState = "ready",
) -> RenditionRecord:
    return RenditionRecord(
        asset_id, asset_id, f"r1-{asset_id}", "f1", f"/r/{asset_id}.ts", size, state, None,
        made, aired,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "size"),
    [("50G", 50 * 1024**3), ("500M", 500 * 1024**2), ("1.5T", int(1.5 * 1024**4)),
     ("1048576", 1048576), ("2gib", 2 * 1024**3), ("10 KB", 10 * 1024)],
)  # fmt: skip
def test_sizes_are_read_in_binary_units(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "50X", "-5G", "0", "five gigs"])
def test_a_size_that_is_not_one_is_refused_naming_it(text: str) -> None:
    with pytest.raises(ValueError, match="size"):
        parse_size(text)


def test_what_airs_no_more_goes_first_oldest_aired_first_then_what_airs_farthest_ahead() -> None:
    soon, later, never_aired, aired_long_ago, aired_lately = (
        _record(1), _record(2), _record(3), _record(4, aired=NOW - 48 * HOUR),
        _record(5, aired=NOW - HOUR),
    )  # fmt: skip
    upcoming = {1: NOW + HOUR, 2: NOW + 30 * HOUR}
    order = eviction_order([soon, later, never_aired, aired_long_ago, aired_lately], upcoming)
    assert [r.asset_id for r in order] == [4, 3, 5, 2, 1]


def test_failed_rows_hold_no_room_and_are_never_evicted() -> None:
    failed = _record(1, size=0, state="failed")
    assert eviction_order([failed], {}) == []


def test_only_as_much_goes_as_brings_the_total_within_the_budget() -> None:
    records = [_record(1, 400), _record(2, 300), _record(3, 300)]
    upcoming = {1: NOW + HOUR, 2: NOW + 2 * HOUR, 3: NOW + 3 * HOUR}
    assert over_budget(records, upcoming, 1000) == []
    assert [r.asset_id for r in over_budget(records, upcoming, 999)] == [3]
    assert [r.asset_id for r in over_budget(records, upcoming, 399)] == [3, 2, 1]
