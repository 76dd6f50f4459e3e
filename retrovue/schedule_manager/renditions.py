"""The rendition book: which catalog assets have a prepared rendition, and what airs soon.

Reads and writes of `broadcast_rendition` and the playlog questions the preparer asks; the
schedule service exposes them to runtime as narrow calls (runtime holds no session).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from retrovue.schedule_manager.airing import ScheduledItem
from retrovue.schedule_manager.catalog import break_candidates
from retrovue.schedule_manager.models import CatalogAsset, PlaylogEvent, Rendition
from retrovue.schedule_manager.playlog import first_airings
from retrovue.schedule_manager.timemath import from_ms, to_ms

RenditionState = Literal["ready", "failed"]

RENDITIONS = cast(Table, Rendition.__table__)
EVENTS = cast(Table, PlaylogEvent.__table__)
ASSETS = cast(Table, CatalogAsset.__table__)


@dataclass(frozen=True, slots=True)
class RenditionRecord:
    """One row of the book, as runtime and the CLI see it."""

    id: int
    asset_id: int
    key: str
    source_fingerprint: str
    path: str
    size_bytes: int
    state: RenditionState
    error: str | None
    made_at: dt.datetime
    last_aired_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class DueAsset:
    """A canonical, available asset that airs in a window: what the preparer makes.

    `break_points_ms` are the positions in the file playout may start from besides its
    start: the catalog's break candidates and the in-points the playlog uses. `item` is its
    first airing in the window, whose channel's presentation shapes the rendition.
    """

    asset_id: int
    title: str
    file_path: str
    fingerprint: str | None
    duration_ms: int
    first_air_utc: dt.datetime
    break_points_ms: tuple[int, ...]
    item: ScheduledItem | None = None


def _record(row: Rendition) -> RenditionRecord:
    return RenditionRecord(
        id=row.id,
        asset_id=row.asset_id,
        key=row.key,
        source_fingerprint=row.source_fingerprint,
        path=row.path,
        size_bytes=int(row.size_bytes),
        state=cast(RenditionState, row.state),
        error=row.error,
        made_at=row.made_at,
        last_aired_at=row.last_aired_at,
    )


def find(session: Session, asset_id: int, key: str) -> RenditionRecord | None:
    """The row for `asset_id` made with `key`, in whatever state it is."""
    row = session.scalar(
        select(Rendition).where(Rendition.asset_id == asset_id, Rendition.key == key)
    )
    return None if row is None else _record(row)


def record(
    session: Session,
    *,
    asset_id: int,
    key: str,
    source_fingerprint: str,
    path: str,
    size_bytes: int,
    state: RenditionState,
    made_at: dt.datetime,
    error: str | None = None,
) -> RenditionRecord:
    """Write the outcome of making `key` for `asset_id` (a later outcome replaces an earlier)."""
    row = session.scalar(
        select(Rendition).where(Rendition.asset_id == asset_id, Rendition.key == key)
    )
    if row is None:
        row = Rendition(asset_id=asset_id, key=key)
        session.add(row)
    row.source_fingerprint = source_fingerprint
    row.path = path
    row.size_bytes = size_bytes
    row.state = state
    row.error = error
    row.made_at = made_at
    session.flush()
    return _record(row)


def mark_aired(session: Session, rendition_id: int, at: dt.datetime) -> None:
    """Note that the rendition went on air at `at` (eviction keeps what aired recently)."""
    session.execute(
        update(RENDITIONS).where(RENDITIONS.c.id == rendition_id).values(last_aired_at=at)
    )


def forget(session: Session, rendition_ids: Iterable[int]) -> int:
    """Remove rows (their files are gone or going); how many were removed."""
    ids = list(rendition_ids)
    if not ids:
        return 0
    result = session.execute(delete(RENDITIONS).where(RENDITIONS.c.id.in_(ids)))
    return int(getattr(result, "rowcount", 0) or 0)


def all_records(session: Session) -> list[RenditionRecord]:
    return [_record(r) for r in session.scalars(select(Rendition).order_by(Rendition.id))]


def next_airings(session: Session, after: dt.datetime) -> dict[int, dt.datetime]:
    """Each asset's next start at or after `after`, or the start of the event on air then."""
    rows = session.execute(
        select(EVENTS.c.asset_id, func.min(EVENTS.c.start_ms))
        .where(EVENTS.c.asset_id.is_not(None), EVENTS.c.end_ms > to_ms(after))
        .group_by(EVENTS.c.asset_id)
    )
    return {int(asset): from_ms(int(start)) for asset, start in rows}


def due(session: Session, start: dt.datetime, end: dt.datetime) -> list[DueAsset]:
    """Canonical, available assets airing in [start, end), the soonest first."""
    first = func.min(EVENTS.c.start_ms).label("first_air")
    airing = (
        select(EVENTS.c.asset_id, first)
        .where(
            EVENTS.c.asset_id.is_not(None),
            EVENTS.c.end_ms > to_ms(start),
            EVENTS.c.start_ms < to_ms(end),
        )
        .group_by(EVENTS.c.asset_id)
        .subquery()
    )
    rows = session.execute(
        select(
            ASSETS.c.id,
            ASSETS.c.title,
            ASSETS.c.file_path,
            ASSETS.c.fingerprint,
            ASSETS.c.duration_ms,
            ASSETS.c.markers,
            airing.c.first_air,
        )
        .join(airing, airing.c.asset_id == ASSETS.c.id)
        .where(ASSETS.c.canonical.is_(True), ASSETS.c.available.is_(True))
        .order_by(airing.c.first_air, ASSETS.c.id)
    ).all()
    ids = [row.id for row in rows]
    in_points = _in_points(session, ids, start, end)
    firsts = first_airings(session, ids, start, end)
    return [
        DueAsset(
            asset_id=row.id,
            title=row.title,
            file_path=row.file_path,
            fingerprint=row.fingerprint,
            duration_ms=int(row.duration_ms),
            first_air_utc=from_ms(int(row.first_air)),
            break_points_ms=tuple(
                sorted(
                    set(break_candidates(row.markers, int(row.duration_ms)))
                    | in_points.get(row.id, set())
                )
            ),
            item=firsts.get(row.id),
        )
        for row in rows
    ]


def _in_points(
    session: Session, asset_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    if not asset_ids:
        return found
    rows = session.execute(
        select(EVENTS.c.asset_id, EVENTS.c.in_point_ms)
        .where(
            EVENTS.c.asset_id.in_(asset_ids),
            EVENTS.c.in_point_ms > 0,
            EVENTS.c.end_ms > to_ms(start),
            EVENTS.c.start_ms < to_ms(end),
        )
        .distinct()
    )
    for asset_id, in_point in rows:
        found.setdefault(int(asset_id), set()).add(int(in_point))
    return found


def states(session: Session) -> dict[int, tuple[RenditionState | Literal["stale"], int]]:
    """Each asset's newest rendition: its state and size; "stale" when it was made from a
    file other than the one approved (the asset's fingerprint moved on since)."""
    rows = session.execute(
        select(
            RENDITIONS.c.asset_id,
            RENDITIONS.c.state,
            RENDITIONS.c.size_bytes,
            RENDITIONS.c.source_fingerprint,
            ASSETS.c.fingerprint,
        )
        .join(ASSETS, ASSETS.c.id == RENDITIONS.c.asset_id)
        .order_by(RENDITIONS.c.made_at, RENDITIONS.c.id)
    )
    found: dict[int, tuple[RenditionState | Literal["stale"], int]] = {}
    for asset_id, state, size, made_from, approved in rows:
        stale = state == "ready" and approved is not None and made_from != approved
        found[int(asset_id)] = ("stale" if stale else cast(RenditionState, state), int(size))
    return found
