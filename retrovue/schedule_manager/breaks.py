"""A program's slot laid out: program parts, and breaks filled with spots, bumpers and pad.

Filler is any non-program catalog asset (commercial, promo, station_id, bumper) carrying at
least one of the rule's `filler_tags`. A break opens with one bumper of the rule's opening
side and closes with one of its closing side (see `bumper_side`), spots and pad between.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import json
from collections.abc import Iterable, Sequence
from typing import Literal, NamedTuple

from retrovue.schedule_manager.catalog import Catalog, Entry
from retrovue.schedule_manager.models import RuleV1

# Breaks shorter than this are merged: a 5-second "break" inside a sitcom helps no one.
MIN_BREAK_MS = 30_000

Side = Literal["in", "out"]


class Event(NamedTuple):
    """One planned playlog row, in epoch milliseconds."""

    start_ms: int
    end_ms: int
    kind: str
    asset_id: int | None
    in_point_ms: int
    program_group: int
    broadcast_day: dt.date
    note: str | None = None


class FillSpec(NamedTuple):
    """What fills a slot's breaks: the parts of a block's rule that spot filling reads."""

    breaks: str
    filler_tags: tuple[str, ...] = ()
    bumper_tags: tuple[str, ...] = ()
    bumper_in_tags: tuple[str, ...] = ()
    bumper_out_tags: tuple[str, ...] = ()
    pad: str = "black"

    @classmethod
    def of(cls, rule: RuleV1) -> FillSpec:
        return cls(
            rule.breaks, tuple(rule.filler_tags), tuple(rule.bumper_tags),
            tuple(rule.bumper_in_tags), tuple(rule.bumper_out_tags), rule.pad,
        )  # fmt: skip


class SlotLayout(NamedTuple):
    """How a programme's slot splits: its length, the offsets into it where breaks go, each
    break's length, and what fills them. Stored with the EPG entry as compact JSON."""

    duration_ms: int
    points: tuple[int, ...]
    shares: tuple[int, ...]
    fill: FillSpec

    def dumps(self) -> str:
        points, shares = ",".join(map(str, self.points)), ",".join(map(str, self.shares))
        return (
            f'{{"d":{self.duration_ms},"p":[{points}],"s":[{shares}],"f":{_fill_json(self.fill)}}}'
        )

    @classmethod
    def loads(cls, raw: str) -> SlotLayout:
        data = json.loads(raw)
        breaks, filler, either, ins, outs, pad = data["f"]
        fill = FillSpec(breaks, tuple(filler), tuple(either), tuple(ins), tuple(outs), pad)
        return cls(int(data["d"]), tuple(data["p"]), tuple(data["s"]), fill)


@functools.lru_cache(maxsize=1024)
def _fill_json(fill: FillSpec) -> str:
    """A fill spec as JSON (made once per spec: a two weeks' guide repeats a few of them)."""
    data = [fill.breaks, *(list(t) for t in fill[1:5]), fill.pad]
    return json.dumps(data, separators=(",", ":"))


class GuideEntry(NamedTuple):
    """One planned EPG row: a programme's whole slot (with its layout), or slate."""

    start_ms: int
    end_ms: int
    kind: str
    asset_id: int | None
    broadcast_day: dt.date
    note: str | None = None
    layout: SlotLayout | None = None

    @property
    def program_group(self) -> int:
        return self.start_ms // 1000


class FillerPool:
    """Spots grouped by duration, longest first, each duration rotated so spots share air."""

    def __init__(self, spots: Iterable[Entry]) -> None:
        groups: dict[int, list[Entry]] = {}
        for spot in spots:
            groups.setdefault(spot.duration_ms, []).append(spot)
        self.durations = sorted(groups, reverse=True)
        self.negated = [-d for d in self.durations]
        self.groups = [sorted(groups[d], key=lambda e: e.id) for d in self.durations]
        self.turn = [0] * len(self.durations)

    def __bool__(self) -> bool:
        return bool(self.durations)

    def restart(self, seed: int) -> None:
        """Start every rotation at a point fixed by `seed`, so a rebuilt day is identical."""
        self.turn = [seed % len(group) for group in self.groups]

    def take(self, length_ms: int, used: set[int], limit: int | None = None) -> list[Entry]:
        """Longest-fit first, never a spot in `used`, total at most `length_ms`."""
        chosen: list[Entry] = []
        remaining = length_ms
        durations, groups, turn = self.durations, self.groups, self.turn
        count, shortest = len(durations), durations[-1] if durations else 0
        index = bisect.bisect_left(self.negated, -remaining)
        while index < count and remaining >= shortest:
            if len(chosen) == limit:
                break
            duration, group = durations[index], groups[index]
            size, tried, at = len(group), 0, turn[index]
            while remaining >= duration and tried < size and len(chosen) != limit:
                spot = group[at % size]
                at += 1
                tried += 1
                if spot.id not in used:
                    used.add(spot.id)
                    chosen.append(spot)
                    remaining -= duration
            turn[index] = at
            index += 1
        return chosen


@functools.lru_cache(maxsize=1024)
def _side(
    ins: tuple[str, ...], outs: tuple[str, ...], either: tuple[str, ...], side: Side
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    own, other = (ins, outs) if side == "in" else (outs, ins)
    lowered = [frozenset(t.lower() for t in tags) for tags in (own, either, other)]
    return lowered[0], lowered[1], lowered[2]


def bumper_side(
    rule: FillSpec | RuleV1, side: Side
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The tags that admit a bumper to one side of a break: (own, either, other side's).

    A bumper carrying one of the side's own tags (`bumper_in_tags` opening a break,
    `bumper_out_tags` closing it) may air there; so may one carrying a `bumper_tags` tag,
    unless it also carries one of the other side's own tags.
    """
    ins, outs = tuple(rule.bumper_in_tags), tuple(rule.bumper_out_tags)
    return _side(ins, outs, tuple(rule.bumper_tags), side)


class BreakFiller:
    """Fills break time for one channel-day; rotation is deterministic from a fixed start."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._pools: dict[tuple[frozenset[str], ...], FillerPool] = {}
        # Each spec's pools (spots, opening and closing bumpers) found once: a break asks for
        # them again and again.
        self._spec_pools: dict[FillSpec, tuple[FillerPool | None, FillerPool, FillerPool]] = {}
        self._seed = 0

    def restart(self, seed: int) -> None:
        """Rotations restart per channel-day (see `FillerPool.restart`)."""
        self._seed = seed
        for pool in self._pools.values():
            pool.restart(seed)

    def _pool(
        self, own: frozenset[str], either: frozenset[str], other: frozenset[str]
    ) -> FillerPool:
        if not other:
            own, either = own | either, frozenset()  # one pool per set of admitting tags
        key = (own, either, other)
        if key not in self._pools:
            spots = (
                e
                for e in self.catalog.non_programs()
                if not e.tags.isdisjoint(own)
                or (not e.tags.isdisjoint(either) and e.tags.isdisjoint(other))
            )
            pool = FillerPool(spots)
            pool.restart(self._seed)
            self._pools[key] = pool
        return self._pools[key]

    def pool(self, tags: tuple[str, ...]) -> FillerPool:
        """Non-programs carrying at least one of `tags`."""
        return self._pool(frozenset(t.lower() for t in tags), frozenset(), frozenset())

    def bumpers(self, rule: FillSpec | RuleV1, side: Side) -> FillerPool:
        """The bumpers that may open (`in`) or close (`out`) a break under `rule`.

        A rule with `bumper_tags` alone gets one pool for both sides, as it always had.
        """
        return self._pool(*bumper_side(rule, side))

    def _of_spec(self, rule: FillSpec) -> tuple[FillerPool | None, FillerPool, FillerPool]:
        found = self._spec_pools.get(rule)
        if found is None:
            spots = self.pool(rule.filler_tags) if rule.filler_tags else None
            found = (spots, self.bumpers(rule, "in"), self.bumpers(rule, "out"))
            self._spec_pools[rule] = found
        return found

    @staticmethod
    def _bumper(pool: FillerPool, side: Side, most_ms: int, used: set[int]) -> Entry | None:
        if not pool:
            return None
        picked = pool.take(most_ms, used, limit=1)
        if not picked and side == "out":
            # A lone bumper may close the break it opened; spots still never repeat.
            picked = pool.take(most_ms, set(), limit=1)
        return picked[0] if picked else None

    def fill(
        self, rule: FillSpec, start: int, length: int, group: int, day: dt.date
    ) -> list[Event]:
        """Events covering exactly [start, start + length)."""
        events: list[Event] = []
        pos = start
        pieces: list[Entry] = []
        closing: Entry | None = None
        if rule.breaks != "none":
            spots, ins, outs = self._of_spec(rule)
            used: set[int] = set()
            opening = self._bumper(ins, "in", length // 2, used)
            closing = self._bumper(outs, "out", length // 2, used)
            if opening is not None:
                pieces.append(opening)
            budget = length - sum(p.duration_ms for p in pieces)
            budget -= closing.duration_ms if closing else 0
            if spots:
                pieces.extend(spots.take(budget, used))
        for piece in pieces:
            events.append(Event(pos, pos + piece.duration_ms, piece.kind, piece.id, 0, group, day))
            pos += piece.duration_ms
        pad_end = start + length - (closing.duration_ms if closing else 0)
        if pad_end > pos:
            events.append(Event(pos, pad_end, rule.pad, None, 0, group, day, "break pad"))
            pos = pad_end
        if closing is not None:
            end = pos + closing.duration_ms
            events.append(Event(pos, end, closing.kind, closing.id, 0, group, day))
        return events


def break_points(entry: Entry, rule: RuleV1, residue: int) -> list[int]:
    """Offsets into the program where its breaks go; `duration` means after it ends."""
    duration = entry.duration_ms
    if residue <= 0:
        return []
    if rule.breaks == "even" and rule.break_count > 0:
        n = rule.break_count
        points = [duration * k // (n + 1) for k in range(1, n + 1)]
    elif rule.breaks == "chapters" and rule.break_count > 0 and (marks := entry.break_offsets):
        points = _spread(list(marks), rule.break_count)
    else:
        # `end`, `none`, or chapters on a program without marks: everything after the program.
        return [duration]
    most = max(1, residue // MIN_BREAK_MS)
    return _spread(points, most) if len(points) > most else points


def _spread(points: list[int], count: int) -> list[int]:
    """`count` of `points`, spread evenly across them."""
    if len(points) <= count:
        return points
    step = (len(points) + 1) / (count + 1)
    return sorted({points[min(len(points) - 1, round(step * (k + 1)) - 1)] for k in range(count)})


def slot_layout(
    entry: Entry, rule: RuleV1, start: int, slot_end: int, fill: FillSpec | None = None
) -> SlotLayout:
    """Where the program breaks inside [start, slot_end) and how long each break is (`fill`:
    the rule's FillSpec, when the caller has it already)."""
    residue = slot_end - start - entry.duration_ms
    points = break_points(entry, rule, residue)
    shares = [residue // len(points)] * len(points) if points else []
    if shares:
        shares[-1] += residue - sum(shares)
    return SlotLayout(entry.duration_ms, tuple(points), tuple(shares), fill or FillSpec.of(rule))


def lay_slot(
    asset_id: int, layout: SlotLayout, start: int, slot_end: int, filler: BreakFiller,
    day: dt.date,
) -> list[Event]:  # fmt: skip
    """The program from `start`, split at its breaks, the slot filled exactly to `slot_end`."""
    group = start // 1000
    events: list[Event] = []
    pos, done = start, 0
    for point, share in zip(layout.points, layout.shares, strict=True):
        if point > done:
            events.append(Event(pos, pos + point - done, "program", asset_id, done, group, day))
            pos += point - done
            done = point
        events.extend(filler.fill(layout.fill, pos, share, group, day))
        pos += share
    if done < layout.duration_ms:
        end = pos + layout.duration_ms - done
        events.append(Event(pos, end, "program", asset_id, done, group, day))
        pos = end
    assert pos == slot_end, "slot laid out to the exact grid boundary"
    return events


def lay_entries(entries: Sequence[GuideEntry], filler: BreakFiller) -> list[Event]:
    """The playlog events of EPG entries, in order, breaks filled as they come."""
    events: list[Event] = []
    for e in entries:
        if e.layout is None or e.asset_id is None:
            events.append(Event(e.start_ms, e.end_ms, e.kind, None, 0, e.program_group,
                                e.broadcast_day, e.note))  # fmt: skip
        else:
            events.extend(
                lay_slot(e.asset_id, e.layout, e.start_ms, e.end_ms, filler, e.broadcast_day)
            )
    return events
