"""Sequential order under withdrawals and additions: the next pick always follows the last aired."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.schedule_manager.catalog import Entry
from retrovue.schedule_manager.rules import Book, Pool, Sequential

DATES = (None, dt.date(1987, 9, 1), dt.date(1987, 9, 8), dt.date(1988, 1, 5))


def episodes(first_id: int) -> st.SearchStrategy[Entry]:
    """An episode of one series; numbers, dates and titles collide often on purpose."""
    return st.builds(
        Entry,
        id=st.just(first_id),
        kind=st.just("program"),
        duration_ms=st.just(22 * 60_000),
        title=st.just("Serial"),
        tags=st.just(frozenset({"serial"})),
        series=st.just("Serial"),
        season=st.sampled_from((None, 0, 1, 2)),
        episode=st.sampled_from((None, 0, 1, 2, 3)),
        air_date=st.sampled_from(DATES),
        episode_title=st.sampled_from((None, "Alpha", "Beta", "Gamma")),
    )


def broadcast_order(entry: Entry) -> tuple[int, int, str, str, int]:
    """(season, episode, air date, title), missing numbers as 0, the id breaking exact ties."""
    aired = "" if entry.air_date is None else entry.air_date.isoformat()
    return (
        entry.season or 0,
        entry.episode or 0,
        aired,
        entry.episode_title or entry.title,
        entry.id,
    )


def expected_next(pool: list[Entry], last: Entry | None) -> Entry:
    ordered = sorted(pool, key=broadcast_order)
    if last is None:
        return ordered[0]
    after = [e for e in ordered if broadcast_order(e) > broadcast_order(last)]
    return after[0] if after else ordered[0]


Step = tuple[str, int]


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    steps=st.lists(
        st.tuples(st.sampled_from(("air", "air", "withdraw", "add")), st.integers(0, 50)),
        min_size=1,
        max_size=40,
    ),
)
def test_the_next_pick_is_the_first_pool_episode_after_the_last_aired_one(
    data: st.DataObject, steps: list[Step]
) -> None:
    catalog = {i: data.draw(episodes(i)) for i in range(1, data.draw(st.integers(1, 8)) + 1)}
    next_id = len(catalog) + 1
    book: Book = {}
    last: Entry | None = None
    for action, choice in steps:
        if action == "withdraw" and catalog:
            del catalog[sorted(catalog)[choice % len(catalog)]]
        elif action == "add":
            catalog[next_id] = data.draw(episodes(next_id))
            next_id += 1
        elif action == "air" and catalog:
            # A fresh picker per airing: each is a new planning run reading the stored book.
            book = json.loads(json.dumps(book))
            picked = Sequential(Pool(catalog.values()), book).pick(0, None)
            assert picked == expected_next(list(catalog.values()), last)
            last = picked


def test_withdrawing_the_last_aired_episode_moves_on_instead_of_restarting() -> None:
    serial = [
        Entry(i, "program", 60_000, "Serial", frozenset(), "Serial", 1, i) for i in range(1, 6)
    ]
    book: Book = {}
    aired = [Sequential(Pool(serial), book).pick(0, None) for _ in range(3)]
    assert [e.id for e in aired if e] == [1, 2, 3]
    remaining = [e for e in serial if e.id != 3]
    assert Sequential(Pool(remaining), book).pick(0, None) == serial[3]


def test_a_series_wraps_to_its_first_episode_only_past_its_last() -> None:
    serial = [
        Entry(i, "program", 60_000, "Serial", frozenset(), "Serial", 1, i) for i in range(1, 4)
    ]
    book: Book = {}
    picker = Sequential(Pool(serial), book)
    assert [picker.pick(0, None) for _ in range(4)] == [*serial, serial[0]]
    # The last episode withdrawn after it aired: nothing follows it, so the series starts over.
    book = {}
    for entry in serial:
        Sequential(Pool(serial), book).take(entry, 0)
    assert Sequential(Pool(serial[:2]), book).pick(0, None) == serial[0]
