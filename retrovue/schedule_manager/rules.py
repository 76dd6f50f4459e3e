"""rule_json v1 interpreted: which catalog assets a block may air and in which order.

Order state lives in a *book* (cursor key -> JSON state) that the orchestrator persists in
`broadcast_rule_cursor`, one snapshot per broadcast day, so a rebuilt day starts from the
state the day before left and comes out the same.
"""

from __future__ import annotations

import bisect
import collections
import datetime as dt
import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, overload

from retrovue.schedule_manager.catalog import Catalog, Entry, OrderKey, order_key
from retrovue.schedule_manager.models import RATING_RANK, RuleV1

Book = dict[str, Any]
KEEP_SNAPSHOT_DAYS = 14


class Selection:
    """A rule's selection (kind, tags all/any/none, series, rating ceiling, duration range),
    its tag sets lower-cased once for a scan of the whole catalog."""

    def __init__(self, rule: RuleV1) -> None:
        self.rule = rule
        self.tags = frozenset(t.lower() for t in rule.tags)
        self.any_tags = frozenset(t.lower() for t in rule.any_tags)
        self.exclude_tags = frozenset(t.lower() for t in rule.exclude_tags)
        self.series = frozenset(rule.series)
        self.ceiling = None if rule.max_rating is None else RATING_RANK[rule.max_rating]

    def admits(self, entry: Entry) -> bool:
        rule = self.rule
        if entry.kind != rule.kind or not self.tags <= entry.tags:
            return False
        if self.any_tags and self.any_tags.isdisjoint(entry.tags):
            return False
        if not self.exclude_tags.isdisjoint(entry.tags):
            return False
        if self.series and entry.series not in self.series:
            return False
        if self.ceiling is not None:
            # An unrated asset is refused where a ceiling is set: the block's audience is guarded.
            rank = RATING_RANK.get(entry.rating or "")
            if rank is None or rank > self.ceiling:
                return False
        minutes = entry.duration_ms / 60_000
        if rule.min_minutes is not None and minutes < rule.min_minutes:
            return False
        return rule.max_minutes is None or minutes <= rule.max_minutes


def selection_key(rule: RuleV1) -> str:
    """A short stable digest of the selection part of a rule (not its layout)."""
    fields = ("tags", "any_tags", "exclude_tags", "series", "kind", "max_rating")
    data = {k: getattr(rule, k) for k in (*fields, "min_minutes", "max_minutes")}
    return hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]


def cursor_key(prefix: str, name: str) -> str:
    key = f"{prefix}:{name}"
    return key if len(key) <= 200 else f"{prefix}:#{hashlib.sha1(name.encode()).hexdigest()}"


class Pool(list[Entry]):
    """The programs one selection admits, with the indexes the orders read, built once."""

    BAGS_KEPT = 256

    def __init__(self, entries: Iterable[Entry]) -> None:
        super().__init__(entries)
        self.by_id = {e.id: e for e in self}
        self.ids = sorted(self.by_id)
        self._bags: collections.OrderedDict[str, Bag] = collections.OrderedDict()
        self.series: dict[str, list[Entry]] = {}
        for entry in self:
            self.series.setdefault(entry.series or "", []).append(entry)
        self.keys: dict[str, list[OrderKey]] = {}
        for name, episodes in self.series.items():
            episodes.sort(key=lambda e: e.episode_order)
            self.keys[name] = [e.episode_order for e in episodes]
        self.cursor_keys = {name: cursor_key("sequential", name) for name in self.series}

    def shuffled(self, name: str) -> Bag:
        """The pool's ids in the order the bag `name` shuffles them (kept for the next days
        that draw from the same bag)."""
        bag = self._bags.get(name)
        if bag is None:
            bag = self._bags[name] = Bag(self.ids, name)
            while len(self._bags) > self.BAGS_KEPT:
                self._bags.popitem(last=False)
        return bag


class Bag(Sequence[int]):
    """A permutation of `ids` seeded by `name`, drawn a place at a time (Fisher-Yates from the
    front): a bag of thousands that a fortnight draws a few hundred from shuffles only those."""

    def __init__(self, ids: Sequence[int], name: str) -> None:
        self._ids = ids
        self._rng = random.Random(name)
        self._swapped: dict[int, int] = {}  # place -> index into ids, where they moved
        self._drawn: list[int] = []

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, place: int) -> int: ...

    @overload
    def __getitem__(self, place: slice) -> Sequence[int]: ...

    def __getitem__(self, place: int | slice) -> int | Sequence[int]:
        if isinstance(place, slice):
            return [self[i] for i in range(*place.indices(len(self)))]
        drawn = self._drawn
        if 0 <= place < len(drawn):
            return drawn[place]
        if not 0 <= place < len(self._ids):
            raise IndexError(place)
        while len(drawn) <= place:
            here = len(drawn)
            there = self._rng.randrange(here, len(self._ids))
            moved = self._swapped.get(there, there)
            self._swapped[there] = self._swapped.get(here, here)
            drawn.append(self._ids[moved])
        return drawn[place]


class Selector:
    """Pools of programs per rule, computed once per catalog and shared by every channel."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._pools: dict[str, Pool] = {}

    def programs(self, rule: RuleV1, key: str | None = None) -> Pool:
        """The pool of `rule` (`key`: its selection key, when the caller has it already)."""
        key = key or selection_key(rule)
        if key not in self._pools:
            candidates = self.catalog.by_kind.get(rule.kind, [])
            selection = Selection(rule)
            self._pools[key] = Pool(e for e in candidates if selection.admits(e))
        return self._pools[key]


class Picker(Protocol):
    def pick(self, at_ms: int, max_ms: int | None) -> Entry | None:
        """The next program to air at `at_ms` (no longer than `max_ms` when given)."""

    def take(self, entry: Entry, at_ms: int) -> None:
        """Record that `entry` aired at `at_ms`, as if picked (replaying a kept past)."""


def _fits(entry: Entry, max_ms: int | None) -> bool:
    return max_ms is None or entry.duration_ms <= max_ms


class Sequential:
    """Episodes in order, a cursor per series; series in a block take turns.

    The cursor is the order key of the episode aired last, so the next pick is the first
    episode after it in the pool as it is now, whether or not that episode is still there.
    """

    def __init__(self, pool: Pool, book: Book) -> None:
        self.book = book
        self.series = pool.series
        self.keys = pool.keys
        self.by_id = pool.by_id
        self.cursor_keys = pool.cursor_keys
        # The series least recently aired go first; kept in order as picks are made. (Read
        # without adding a state for a series that never aired: the book keeps what aired.)
        book = self.book

        def last_aired(series: str) -> tuple[int, str]:
            key = self.cursor_keys.get(series) or cursor_key("sequential", series)
            state = book.get(key)
            return (state.get("last_at", -1) if state else -1, series)

        self.turn = sorted(self.series, key=last_aired)

    def _state(self, series: str) -> dict[str, Any]:
        key = self.cursor_keys.get(series) or cursor_key("sequential", series)
        state: dict[str, Any] = self.book.setdefault(key, {})
        return state

    def _last(self, series: str) -> OrderKey | None:
        state = self._state(series)
        kept = order_key(state.get("last_key"))
        if kept is not None:
            return kept
        # A cursor stored before keys were kept names only the asset; it helps while it airs.
        asset_id = state.get("last_id")
        last = self.by_id.get(asset_id) if isinstance(asset_id, int) else None
        return None if last is None else last.episode_order

    def _next(self, series: str) -> Entry:
        episodes = self.series[series]
        last = self._last(series)
        index = 0 if last is None else bisect.bisect_right(self.keys[series], last)
        return episodes[index % len(episodes)]

    def pick(self, at_ms: int, max_ms: int | None) -> Entry | None:
        for series in self.turn:
            entry = self._next(series)
            if _fits(entry, max_ms):
                self.take(entry, at_ms)
                return entry
        return None

    def take(self, entry: Entry, at_ms: int) -> None:
        series = entry.series or ""
        key = list(entry.episode_order)
        self._state(series).update(last_id=entry.id, last_key=key, last_at=at_ms)
        if series in self.turn:
            self.turn.remove(series)
            self.turn.append(series)


class Random:
    """Seeded by channel, broadcast day and selection: a rebuild picks the same."""

    def __init__(self, pool: Sequence[Entry], seed: str) -> None:
        self.pool = pool
        self.rng = random.Random(seed)

    def pick(self, at_ms: int, max_ms: int | None) -> Entry | None:
        for _ in range(8):
            entry = self.rng.choice(self.pool)
            if _fits(entry, max_ms):
                return entry
        fitting = [e for e in self.pool if _fits(e, max_ms)]
        return self.rng.choice(fitting) if fitting else None

    def take(self, entry: Entry, at_ms: int) -> None:
        """Random order keeps no state: a replayed pick changes nothing."""


class Shuffle:
    """A shuffled bag: nothing repeats until the whole pool has aired.

    The state names the bag (`bag`: the seed that shuffled it) and lists what was drawn from
    it, so a day's snapshot is as small as the draws; the bag is shuffled again from its name
    and read from the first id not drawn, never copied.
    """

    def __init__(self, pool: Pool, state: dict[str, Any], seed: str) -> None:
        self.source = pool
        self.pool = pool.by_id
        self.state = state
        self.seed = seed
        kept = state.get("bag")
        self.order: Sequence[int] = ()
        if isinstance(kept, str):
            self.order = pool.shuffled(kept)
        elif isinstance(kept, list):  # a bag kept whole, as stations once did: draw it out
            self.order = [i for i in kept if i in self.pool]
            state["bag"] = self.order
        self.drawn: list[int] = [i for i in state.get("drawn", []) if isinstance(i, int)]
        state["drawn"] = self.drawn
        self.taken = set(self.drawn)
        self.first = 0

    def _left(self) -> int:
        """Where the bag's first id not yet drawn is (the bag's length when it is empty)."""
        order, taken, first = self.order, self.taken, self.first
        size = len(order)
        while first < size and order[first] in taken:
            first += 1
        self.first = first
        return first

    def _refill(self) -> None:
        refills = int(self.state.get("refills", 0)) + 1
        name = f"{self.seed}:{refills}"
        self.order, self.first = self.source.shuffled(name), 0
        self.drawn.clear()
        self.taken.clear()
        self.state.update(bag=name, refills=refills, drawn=self.drawn)

    def _draw(self, asset_id: int) -> Entry:
        self.taken.add(asset_id)
        self.drawn.append(asset_id)
        return self.pool[asset_id]

    def pick(self, at_ms: int, max_ms: int | None) -> Entry | None:
        if self._left() == len(self.order):
            self._refill()
        for index in range(self._left(), len(self.order)):
            asset_id = self.order[index]
            if asset_id not in self.taken and _fits(self.pool[asset_id], max_ms):
                return self._draw(asset_id)
        return None

    def take(self, entry: Entry, at_ms: int) -> None:
        if self._left() == len(self.order):
            self._refill()
        if entry.id in self.pool and entry.id not in self.taken:
            self._draw(entry.id)


class LeastRecentlyUsed:
    """The asset that aired longest ago (never-aired first, by id).

    The state keeps only what aired, least recently first, so a day's snapshot is as small as
    its history; the queue is the pool's never-aired assets by id, then those.
    """

    def __init__(self, pool: Pool, state: dict[str, Any]) -> None:
        self.pool = pool.by_id
        self.ids = pool.ids
        kept = state.pop("queue", None)  # the whole queue, as stations once kept it
        aired = state.get("aired", kept or [])
        self.aired: list[int] = [i for i in aired if i in self.pool]
        self.seen = set(self.aired)
        self.fresh = 0  # where the first never-aired id may be, in id order
        state["aired"] = self.aired

    def pick(self, at_ms: int, max_ms: int | None) -> Entry | None:
        while self.fresh < len(self.ids) and self.ids[self.fresh] in self.seen:
            self.fresh += 1
        for index in range(self.fresh, len(self.ids)):
            asset_id = self.ids[index]
            if asset_id not in self.seen and _fits(self.pool[asset_id], max_ms):
                self._aired(asset_id)
                return self.pool[asset_id]
        for asset_id in self.aired:
            if _fits(self.pool[asset_id], max_ms):
                self._aired(asset_id)
                return self.pool[asset_id]
        return None

    def take(self, entry: Entry, at_ms: int) -> None:
        if entry.id in self.pool:
            self._aired(entry.id)

    def _aired(self, asset_id: int) -> None:
        if asset_id in self.seen:
            self.aired.remove(asset_id)
        else:
            self.seen.add(asset_id)
        self.aired.append(asset_id)


def make_picker(
    rule: RuleV1, pool: Pool, book: Book, channel_id: int, day: dt.date, key: str | None = None
) -> Picker:
    """The picker for a block's order, reading and writing its state in `book`."""
    key = key or selection_key(rule)
    seed = f"{channel_id}:{day.isoformat()}:{key}"
    if rule.order == "sequential":
        return Sequential(pool, book)
    if rule.order == "random":
        return Random(pool, seed)
    if rule.order == "shuffle":
        return Shuffle(pool, book.setdefault(cursor_key("shuffle", key), {}), seed)
    return LeastRecentlyUsed(pool, book.setdefault(cursor_key("lru", key), {}))


def book_before(snapshots: dict[str, dict[str, Any]], day: dt.date) -> Book:
    """Each key's state as the last day planned before `day` left it."""
    iso = day.isoformat()
    book: Book = {}
    for key, days in snapshots.items():
        earlier = [d for d in days if d < iso]
        if earlier:
            book[key] = _copy_state(days[max(earlier)])
    return book


def record_day(snapshots: dict[str, dict[str, Any]], book: Book, day: dt.date) -> None:
    """Store the state after `day`; later snapshots are void (those days get re-planned).

    A key whose state the day left as it was gets no new snapshot (the last one still says
    it), and each key keeps its newest snapshot however old, so its state is never lost."""
    iso = day.isoformat()
    oldest = (day - dt.timedelta(days=KEEP_SNAPSHOT_DAYS)).isoformat()
    for days in snapshots.values():
        for stale in [d for d in days if d >= iso]:
            del days[stale]
    for key, state in book.items():
        days = snapshots.setdefault(key, {})
        if not days or days[max(days)] != state:
            days[iso] = _copy_state(state)
    for days in snapshots.values():
        old = sorted(d for d in days if d < oldest)
        for stale in old[:-1] if len(old) == len(days) else old:
            del days[stale]


def _copy_state(state: dict[str, Any]) -> dict[str, Any]:
    """A copy deep enough for order states, whose values are scalars, id lists or id maps.

    (copy.deepcopy was a quarter of a week's planning time on a large catalog.)
    """
    return {
        k: list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v
        for k, v in state.items()
    }
