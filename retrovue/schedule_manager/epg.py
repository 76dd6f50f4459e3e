"""The EPG tier: each channel's guide entries (programme slots and slate) `epg_days` ahead.

XMLTV, the guide page and the guide channel read it; the playlog tier is laid out from it.
Written in bulk through the DB-API like the playlog; times are epoch milliseconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple
from typing import cast as typed

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from retrovue.schedule_manager.airing import ScheduledItem
from retrovue.schedule_manager.breaks import GuideEntry, SlotLayout
from retrovue.schedule_manager.bulk import day_text
from retrovue.schedule_manager.models import CatalogAsset, Channel, EpgEntry
from retrovue.schedule_manager.tiers import channel_of
from retrovue.schedule_manager.timemath import from_ms

ENTRIES = typed(Table, EpgEntry.__table__)
ASSETS = typed(Table, CatalogAsset.__table__)
CHANNELS = typed(Table, Channel.__table__)
# No guide entry is longer than this; it bounds index range scans that look back.
LONGEST_ENTRY_MS = 24 * 3_600_000
COLUMNS = ("channel_id", "broadcast_day", "start_ms", "end_ms", "kind", "asset_id", "note",
           "layout")  # fmt: skip


class Aired(NamedTuple):
    """A program that already started on air, replayed into the book."""

    start_ms: int
    asset_id: int


def entry_rows(channel_id: int, entries: Sequence[GuideEntry]) -> list[tuple[Any, ...]]:
    """Guide entries as rows of `COLUMNS`."""
    day = day_text()
    return [
        (channel_id, day(on), start, end, kind, asset, note, layout.dumps() if layout else None)
        for start, end, kind, asset, on, note, layout in entries
    ]


def entries_of_day(
    session: Session, channel_id: int, day: dt.date, before_ms: int | None = None
) -> list[GuideEntry]:
    """Broadcast `day`'s entries (those starting before `before_ms`), by start."""
    query = select(
        ENTRIES.c.start_ms, ENTRIES.c.end_ms, ENTRIES.c.kind, ENTRIES.c.asset_id,
        ENTRIES.c.note, ENTRIES.c.layout,
    ).where(ENTRIES.c.channel_id == channel_id, ENTRIES.c.broadcast_day == day)  # fmt: skip
    if before_ms is not None:
        query = query.where(ENTRIES.c.start_ms < before_ms)
    rows = session.execute(query.order_by(ENTRIES.c.start_ms))
    return [
        GuideEntry(int(r.start_ms), int(r.end_ms), r.kind, r.asset_id, day, r.note,
                   SlotLayout.loads(r.layout) if r.layout else None)
        for r in rows
    ]  # fmt: skip


def end_covering(session: Session, channel_id: int, ms: int) -> int | None:
    """If a guide entry started before `ms` and runs past it, its end (a slot is never cut)."""
    end = session.scalar(
        select(ENTRIES.c.end_ms)
        .where(ENTRIES.c.channel_id == channel_id, ENTRIES.c.start_ms < ms)
        .order_by(ENTRIES.c.start_ms.desc())
        .limit(1)
    )
    return int(end) if end is not None and end > ms else None


def aired_programs(session: Session, channel_id: int, day: dt.date, before_ms: int) -> list[Aired]:
    """Programs of broadcast `day` that started before `before_ms`."""
    rows = session.execute(
        select(ENTRIES.c.start_ms, ENTRIES.c.asset_id)
        .where(
            ENTRIES.c.channel_id == channel_id,
            ENTRIES.c.broadcast_day == day,
            ENTRIES.c.start_ms < before_ms,
            ENTRIES.c.kind == "program",
            ENTRIES.c.asset_id.is_not(None),
        )
        .order_by(ENTRIES.c.start_ms)
    )
    return [Aired(int(row.start_ms), int(row.asset_id)) for row in rows]


def guide_between(session: Session, number: int, start_ms: int, end_ms: int) -> list[ScheduledItem]:
    """Channel `number`'s guide entries overlapping [start_ms, end_ms), by start: one item a
    slot (a programme with its breaks, or slate), as the guides and XMLTV show them."""
    rows = session.execute(
        select(
            ENTRIES.c.id, CHANNELS.c.number, ENTRIES.c.broadcast_day, ENTRIES.c.start_ms,
            ENTRIES.c.end_ms, ENTRIES.c.kind, ENTRIES.c.asset_id, ENTRIES.c.note,
            ASSETS.c.file_path, ASSETS.c.title, ASSETS.c.canonical, ASSETS.c.available,
            ASSETS.c.fingerprint,
        )
        .select_from(
            ENTRIES.join(CHANNELS, CHANNELS.c.id == ENTRIES.c.channel_id).outerjoin(
                ASSETS, ASSETS.c.id == ENTRIES.c.asset_id
            )
        )
        .where(
            ENTRIES.c.channel_id == channel_of(number),
            ENTRIES.c.start_ms >= start_ms - LONGEST_ENTRY_MS,
            ENTRIES.c.start_ms < end_ms,
            ENTRIES.c.end_ms > start_ms,
        )
        .order_by(ENTRIES.c.start_ms)
    )  # fmt: skip
    return [_guide_item(row) for row in rows]


def _guide_item(row: Any) -> ScheduledItem:
    return ScheduledItem(
        event_id=row.id,
        channel_number=row.number,
        broadcast_day=row.broadcast_day,
        start_utc=from_ms(row.start_ms),
        end_utc=from_ms(row.end_ms),
        kind=row.kind,
        in_point_ms=0,
        program_group=int(row.start_ms) // 1000,
        asset_id=row.asset_id,
        file_path=row.file_path,
        title=row.title,
        canonical=bool(row.canonical),
        available=bool(row.available),
        note=row.note,
        fingerprint=row.fingerprint,
    )
