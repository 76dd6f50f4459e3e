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
from typing import Any, Protocol

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
        self._bags: collections.OrderedDict[str, tuple[int, ...]] = collections.OrderedDict()
        self.series: dict[str, list[Entry]] = {}
        for entry in self:
            self.series.setdefault(entry.series or "", []).append(entry)
        self.keys: dict[str, list[OrderKey]] = {}
        for name, episodes in self.series.items():
            episodes.sort(key=lambda e: e.episode_order)
            self.keys[name] = [e.episode_order for e in episodes]

    def shuffled(self, name: str) -> tuple[int, ...]:
        """The pool's ids in the order the bag `name` shuffles them (kept for the next days
        that draw from the same bag)."""
        bag = self._bags.get(name)
        if bag is None:
            order = list(self.ids)
            random.Random(name).shuffle(order)
            bag = self._bags[name] = tuple(order)
            while len(self._bags) > self.BAGS_KEPT:
                self._bags.popitem(last=False)
        return bag


class Selector:
    """Pools of programs per rule, computed once per catalog and shared by every channel."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._pools: dict[str, Pool] = {}

    def programs(self, rule: RuleV1) -> Pool:
        key = selection_key(rule)
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
        # The series least recently aired go first; kept in order as picks are made.
        self.turn = sorted(self.series, key=lambda s: (self._state(s).get("last_at", -1), s))

    def _state(self, series: str) -> dict[str, Any]:
        state: dict[str, Any] = self.book.setdefault(cursor_key("sequential", series), {})
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
    it, so a day's snapshot is as small as the draws; the bag is shuffled again from its name.
    """

    def __init__(self, pool: Pool, state: dict[str, Any], seed: str) -> None:
        self.source = pool
        self.pool = pool.by_id
        self.state = state
        self.seed = seed
        self.bag: list[int] = []
        if isinstance(state.get("bag"), list):  # a bag kept whole, as stations once did
            self.drawn: list[int] = []
            self.bag = [i for i in state["bag"] if i in self.pool]
            state["bag"] = self.bag
            return
        self.drawn = [i for i in state.get("drawn", []) if isinstance(i, int)]
        state["drawn"] = self.drawn
        if isinstance(state.get("bag"), str):
            taken = set(self.drawn)
            shuffled = pool.shuffled(state["bag"])  # made of this pool's ids only
            self.bag = [i for i in shuffled if i not in taken] if taken else list(shuffled)

    def _refill(self) -> None:
        refills = int(self.state.get("refills", 0)) + 1
        name = f"{self.seed}:{refills}"
        self.bag[:] = self.source.shuffled(name)
        self.drawn.clear()
        self.state.update(bag=name, refills=refills, drawn=self.drawn)

    def pick(self, at_ms: int, max_ms: int | None) -> Entry | None:
        if not self.bag:
            self._refill()
        for index, asset_id in enumerate(self.bag):
            if _fits(self.pool[asset_id], max_ms):
                del self.bag[index]
                self.drawn.append(asset_id)
                return self.pool[asset_id]
        return None

    def take(self, entry: Entry, at_ms: int) -> None:
        if not self.bag:
            self._refill()
        if entry.id in self.bag:
            self.bag.remove(entry.id)
            self.drawn.append(entry.id)


class LeastRecentlyUsed:
    """The asset that aired longest ago (never-aired first, by id).

    The state keeps only what aired, least recently first, so a day's snapshot is as small as
    its history; the queue is the pool's never-aired assets by id, then those.
    """

    def __init__(self, pool: Pool, state: dict[str, Any]) -> None:
        self.pool = pool.by_id
        kept = state.pop("queue", None)  # the whole queue, as stations once kept it
        aired = state.get("aired", kept or [])
        self.aired: list[int] = [i for i in aired if i in self.pool]
        self.seen = set(self.aired)
        self.queue: list[int] = [i for i in pool.ids if i not in self.seen] + self.aired
        state["aired"] = self.aired

    def pick(self, at_ms: int, max_ms: int | None) -> Entry | None:
        for index, asset_id in enumerate(self.queue):
            entry = self.pool[asset_id]
            if _fits(entry, max_ms):
                self.queue.append(self.queue.pop(index))
                self._aired(asset_id)
                return entry
        return None

    def take(self, entry: Entry, at_ms: int) -> None:
        if entry.id in self.pool:
            self.queue.remove(entry.id)
            self.queue.append(entry.id)
            self._aired(entry.id)

    def _aired(self, asset_id: int) -> None:
        if asset_id in self.seen:
            self.aired.remove(asset_id)
        else:
            self.seen.add(asset_id)
        self.aired.append(asset_id)


def make_picker(rule: RuleV1, pool: Pool, book: Book, channel_id: int, day: dt.date) -> Picker:
    """The picker for a block's order, reading and writing its state in `book`."""
    key = selection_key(rule)
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
    """Store the state after `day`; later snapshots are void (those days get re-planned)."""
    iso = day.isoformat()
    oldest = (day - dt.timedelta(days=KEEP_SNAPSHOT_DAYS)).isoformat()
    for key, state in book.items():
        snapshots.setdefault(key, {})[iso] = _copy_state(state)
    for days in snapshots.values():
        for stale in [d for d in days if d > iso or d < oldest]:
            del days[stale]


def _copy_state(state: dict[str, Any]) -> dict[str, Any]:
    """A copy deep enough for order states, whose values are scalars, id lists or id maps.

    (copy.deepcopy was a quarter of a week's planning time on a large catalog.)
    """
    return {
        k: list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v
        for k, v in state.items()
    }
