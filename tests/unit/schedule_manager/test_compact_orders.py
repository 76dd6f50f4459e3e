"""Order states kept small: a shuffle bag drawn lazily, least-recently-used keeping what aired.

Each day's state goes through JSON (as the rule cursors store it) before the next day reads it.
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from retrovue.schedule_manager.catalog import Entry
from retrovue.schedule_manager.rules import Bag, LeastRecentlyUsed, Pool, Shuffle


def _pool(count: int) -> Pool:
    return Pool(Entry(i, "program", 60_000, f"P{i}", frozenset()) for i in range(1, count + 1))


@given(ids=st.lists(st.integers(), unique=True, max_size=300), name=st.text(max_size=8))
def test_a_bag_is_a_permutation_of_its_ids_fixed_by_its_name(ids: list[int], name: str) -> None:
    bag = Bag(ids, name)
    drawn = [bag[i] for i in range(len(bag))]
    assert sorted(drawn) == sorted(ids)
    assert list(Bag(ids, name)) == drawn


@given(size=st.integers(1, 40), per_day=st.lists(st.integers(1, 15), min_size=1, max_size=12))
def test_shuffle_never_repeats_before_the_whole_pool_aired_across_stored_days(
    size: int, per_day: list[int]
) -> None:
    pool, state, aired = _pool(size), {}, []
    for day, picks in enumerate(per_day):
        picker = Shuffle(pool, state, f"seed:{day}")
        aired.extend(picker.pick(0, None).id for _ in range(picks))  # type: ignore[union-attr]
        state = json.loads(json.dumps(state))
    for start in range(0, len(aired), size):
        rounds = aired[start : start + size]
        assert len(set(rounds)) == len(rounds)
    assert len(json.dumps(state)) < 80 + 12 * min(size, sum(per_day))  # the draws, not the pool


@given(size=st.integers(1, 40), per_day=st.lists(st.integers(1, 15), min_size=1, max_size=12))
def test_least_recently_used_airs_what_aired_longest_ago_across_stored_days(
    size: int, per_day: list[int]
) -> None:
    pool, state, aired = _pool(size), {}, []
    for picks in per_day:
        picker = LeastRecentlyUsed(pool, state)
        for _ in range(picks):
            entry = picker.pick(0, None)
            assert entry is not None
            never = [i for i in pool.ids if i not in aired]
            expected = never[0] if never else min(pool.ids, key=lambda i: _last(aired, i))
            assert entry.id == expected
            aired.append(entry.id)
        state = json.loads(json.dumps(state))


def _last(aired: list[int], asset_id: int) -> int:
    return max(n for n, a in enumerate(aired) if a == asset_id)
