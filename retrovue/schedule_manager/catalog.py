"""The airable catalog held in memory for one planning run, and the marker shape it reads.

Markers (`catalog_asset.markers`) are a JSON list of objects
`{"kind": "chapter" | "break" | "intro" | "credits", "start_ms": int, "end_ms": int | null}`.
Break candidates are the starts of `break` markers and of every `chapter` but the first;
`intro` and `credits` are kept for playout and never split a program.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import String, Text, and_, case, cast, func, select
from sqlalchemy.orm import Session

from retrovue.schedule_manager.models import CatalogAsset

BREAK_MARKER_KINDS = frozenset({"chapter", "break"})

# An episode's place in its series: season, episode, air date (ISO, "" when unknown), the
# episode's title, and the asset id last so that no two assets ever tie.
OrderKey = tuple[int, int, str, str, int]


class Entry(NamedTuple):
    """A canonical, available catalog asset as the planner needs it (a tuple: a catalog of
    fifty thousand is built in a fraction of the time frozen dataclasses take)."""

    id: int
    kind: str
    duration_ms: int
    title: str
    tags: frozenset[str]
    series: str | None = None
    season: int | None = None
    episode: int | None = None
    rating: str | None = None
    breaks: tuple[int, ...] = ()
    file_path: str = ""
    air_date: dt.date | None = None
    episode_title: str | None = None
    # The markers as stored (JSON text): their break candidates are read when first needed.
    markers: str | None = None

    @property
    def break_offsets(self) -> tuple[int, ...]:
        """Where a break may go: `breaks` as given, else read from the stored markers."""
        if self.breaks or not self.markers:
            return self.breaks
        return _stored_breaks(self.markers, self.duration_ms)

    @property
    def episode_order(self) -> OrderKey:
        """(season, episode, air date, title) order; a missing number counts as 0."""
        aired = self.air_date.isoformat() if self.air_date else ""
        title = self.episode_title or self.title
        return (self.season or 0, self.episode or 0, aired, title, self.id)


def order_key(raw: object) -> OrderKey | None:
    """An order key read back from stored JSON, or None when it is not one."""
    if not isinstance(raw, list | tuple) or len(raw) != 5:
        return None
    season, episode, aired, title, asset_id = raw
    numbers_ok = all(type(n) is int for n in (season, episode, asset_id))
    if not (numbers_ok and isinstance(aired, str) and isinstance(title, str)):
        return None
    return (season, episode, aired, title, asset_id)


def break_candidates(markers: object, duration_ms: int) -> tuple[int, ...]:
    """Offsets (ms, strictly inside the program) where a break may be placed."""
    if not isinstance(markers, list):
        return ()
    points: set[int] = set()
    for marker in markers:
        if not isinstance(marker, dict) or marker.get("kind") not in BREAK_MARKER_KINDS:
            continue
        start = marker.get("start_ms")
        if isinstance(start, int | float) and 0 < start < duration_ms:
            points.add(int(start))
    return tuple(sorted(points))


@functools.lru_cache(maxsize=65_536)
def _stored_breaks(markers: str, duration_ms: int) -> tuple[int, ...]:
    return break_candidates(json.loads(markers), duration_ms)


class Catalog:
    """Every asset that may air, split by kind; nothing else is ever offered to a rule."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: dict[int, Entry] = {}
        self.by_kind: dict[str, list[Entry]] = {}
        for entry in entries:
            self.entries[entry.id] = entry
            self.by_kind.setdefault(entry.kind, []).append(entry)
        for group in self.by_kind.values():
            group.sort(key=lambda e: e.id)

    def non_programs(self) -> Iterable[Entry]:
        for kind, group in self.by_kind.items():
            if kind != "program":
                yield from group

    @classmethod
    def load(cls, session: Session) -> Catalog:
        """Read canonical, available assets once (columns only, no ORM objects)."""
        table = CatalogAsset.__table__
        rows = session.execute(
            select(
                table.c.id,
                table.c.kind,
                table.c.duration_ms,
                table.c.title,
                cast(table.c.tags, Text).label("tags"),
                table.c.series,
                table.c.season,
                table.c.episode,
                table.c.episode_title,
                cast(table.c.air_date, String).label("air_date"),
                table.c.rating,
                cast(table.c.markers, Text).label("markers"),
                table.c.file_path,
            ).where(table.c.canonical.is_(True), table.c.available.is_(True))
        ).all()
        tag_sets: dict[str | None, frozenset[str]] = {}  # most assets share a few tag lists
        entries = []
        for (asset_id, kind, duration, title, tags, series, season, episode, episode_title,
             air_date, rating, markers, file_path) in rows:  # fmt: skip
            tagged = tag_sets.get(tags)
            if tagged is None:
                tagged = frozenset(str(t).lower() for t in json.loads(tags or "[]") or ())
                tag_sets[tags] = tagged
            entries.append(
                Entry(
                    asset_id,
                    kind,
                    int(duration),
                    title,
                    tagged,
                    series,
                    season,
                    episode,
                    rating.upper() if rating else None,
                    (),
                    file_path,
                    dt.date.fromisoformat(air_date[:10]) if air_date else None,
                    episode_title,
                    markers,
                )
            )
        return cls(entries)


def catalog_fingerprint(session: Session) -> str:
    """Changes whenever an asset is added, removed, or updated (including its gating)."""
    table = CatalogAsset.__table__
    row = session.execute(
        select(
            func.count(),
            func.max(table.c.id),
            func.max(table.c.updated_at),
            func.sum(case((and_(table.c.canonical, table.c.available), table.c.id), else_=0)),
        ).select_from(table)
    ).one()
    stamp = row[2].isoformat() if isinstance(row[2], dt.datetime) else str(row[2])
    return hashlib.sha1(f"{row[0]}:{row[1]}:{stamp}:{row[3]}".encode()).hexdigest()[:16]
