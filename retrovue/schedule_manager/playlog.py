"""The playlog tier read in Core statements and written through the DB-API in bulk.

Times are epoch milliseconds in the table; the read model (`ScheduledItem`) gives UTC instants.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from typing import cast as typed

from sqlalchemy import (
    BigInteger,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exc,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from retrovue.schedule_manager.airing import ScheduledItem
from retrovue.schedule_manager.breaks import Event
from retrovue.schedule_manager.bulk import day_text, json_text
from retrovue.schedule_manager.config import presentation_of
from retrovue.schedule_manager.models import (
    CatalogAsset,
    Channel,
    PlaylogEvent,
    RuleCursor,
    StationSetting,
)
from retrovue.schedule_manager.tiers import channel_of
from retrovue.schedule_manager.timemath import from_ms, to_ms

EVENTS = typed(Table, PlaylogEvent.__table__)
ASSETS = typed(Table, CatalogAsset.__table__)
CHANNELS = typed(Table, Channel.__table__)
# No event is longer than this; it bounds index range scans that look back from an instant.
LONGEST_EVENT_MS = 24 * 3_600_000
# The cursor keys under which each planned day's configuration fingerprint is kept: the
# EPG tier's, and the playlog tier's (the EPG day's fingerprint once its spots are filled).
PLAN_KEY = "plan"
FILL_KEY = "playlog"
# The station setting counting playlog changes, so readers can tell cheaply that it moved.
REVISION_KEY = "playlog_revision"
SETTINGS = typed(Table, StationSetting.__table__)
CURSORS = typed(Table, RuleCursor.__table__)
CURSOR_COLUMNS = ("channel_id", "key", "state", "updated_at")

# The next programme after an event, when it belongs to another guide entry: the title a
# programme's last part announces ("Next: TITLE"). Through the (channel_id, start_utc) index.
_NEXT = EVENTS.alias("next_event")
_NEXT_ASSET = ASSETS.alias("next_asset")
_NEXT_TITLE = (
    select(case((_NEXT.c.program_group != EVENTS.c.program_group, _NEXT_ASSET.c.title)))
    .select_from(_NEXT.join(_NEXT_ASSET, _NEXT_ASSET.c.id == _NEXT.c.asset_id))
    .where(
        _NEXT.c.channel_id == EVENTS.c.channel_id,
        _NEXT.c.start_ms >= EVENTS.c.end_ms,
        _NEXT.c.kind == "program",
    )
    .order_by(_NEXT.c.start_ms)
    .limit(1)
    .correlate(EVENTS)
    .scalar_subquery()
)

_ITEM_COLUMNS = (
    EVENTS.c.id,
    CHANNELS.c.number,
    EVENTS.c.broadcast_day,
    EVENTS.c.start_ms,
    EVENTS.c.end_ms,
    EVENTS.c.kind,
    EVENTS.c.in_point_ms,
    EVENTS.c.program_group,
    EVENTS.c.asset_id,
    ASSETS.c.file_path,
    ASSETS.c.title,
    ASSETS.c.canonical,
    ASSETS.c.available,
    EVENTS.c.note,
    ASSETS.c.fingerprint,
    ASSETS.c.media,
    CHANNELS.c.audio_language,
    CHANNELS.c.second_audio,
    CHANNELS.c.subtitles,
    CHANNELS.c.bug_path,
    CHANNELS.c.bug_position,
    CHANNELS.c.bug_opacity,
    CHANNELS.c.next_caption_s,
    case(
        (
            and_(EVENTS.c.kind == "program", CHANNELS.c.next_caption_s.is_not(None)),
            _NEXT_TITLE,
        )
    ).label("next_title"),
)
_JOINED = EVENTS.join(CHANNELS, CHANNELS.c.id == EVENTS.c.channel_id).outerjoin(
    ASSETS, ASSETS.c.id == EVENTS.c.asset_id
)


# The last event of channel `number` starting at or before `at` (epoch ms), found first on its
# own, backwards through the unique (channel_id, start_ms) index, then joined by primary key
# (joined first, PostgreSQL would gather the channel's whole past and hash the catalog).
_LAST_STARTED = (
    select(EVENTS.c.id)
    .where(
        EVENTS.c.channel_id == channel_of(bindparam("number")),
        EVENTS.c.start_ms <= bindparam("at"),
    )
    .order_by(EVENTS.c.start_ms.desc())
    .limit(1)
    .scalar_subquery()
)
AIRING = select(*_ITEM_COLUMNS).select_from(_JOINED).where(EVENTS.c.id == _LAST_STARTED)


def item_of(row: Any) -> ScheduledItem:
    """A result row of `_ITEM_COLUMNS` as the read model."""
    return ScheduledItem(
        event_id=row.id,
        channel_number=row.number,
        broadcast_day=row.broadcast_day,
        start_utc=from_ms(row.start_ms),
        end_utc=from_ms(row.end_ms),
        kind=row.kind,
        in_point_ms=int(row.in_point_ms),
        program_group=int(row.program_group),
        asset_id=row.asset_id,
        file_path=row.file_path,
        title=row.title,
        canonical=bool(row.canonical),
        available=bool(row.available),
        note=row.note,
        fingerprint=row.fingerprint,
        media=row.media,
        presentation=presentation_of(row),
        next_title=row.next_title,
    )


def items_between(session: Session, number: int, start_ms: int, end_ms: int) -> list[ScheduledItem]:
    """Events of channel `number` overlapping [start_ms, end_ms), by start."""
    rows = session.execute(
        select(*_ITEM_COLUMNS)
        .select_from(_JOINED)
        .where(
            EVENTS.c.channel_id == channel_of(number),
            EVENTS.c.start_ms >= start_ms - LONGEST_EVENT_MS,
            EVENTS.c.start_ms < end_ms,
            EVENTS.c.end_ms > start_ms,
        )
        .order_by(EVENTS.c.start_ms)
    )
    return [item_of(row) for row in rows]


COLUMNS = (
    "channel_id", "broadcast_day", "start_ms", "end_ms", "kind", "asset_id", "in_point_ms",
    "program_group", "note",
)  # fmt: skip


def first_airings(
    session: Session, asset_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> dict[int, ScheduledItem]:
    """Each asset's first event overlapping [start, end) (any channel), as the read model."""
    if not asset_ids:
        return {}
    start_ms, end_ms = to_ms(start), to_ms(end)
    rows = session.execute(
        select(*_ITEM_COLUMNS)
        .select_from(_JOINED)
        .where(
            EVENTS.c.asset_id.in_(asset_ids),
            EVENTS.c.start_ms >= start_ms - LONGEST_EVENT_MS,
            EVENTS.c.start_ms < end_ms,
            EVENTS.c.end_ms > start_ms,
        )
        .order_by(EVENTS.c.start_ms, EVENTS.c.id)
    )
    found: dict[int, ScheduledItem] = {}
    for row in rows:
        found.setdefault(int(row.asset_id), item_of(row))
    return found


def event_rows(channel_id: int, events: Sequence[Event]) -> list[tuple[Any, ...]]:
    """Events as rows of `COLUMNS` (unpacked, not read by field name: a week's planning
    builds a quarter of a million)."""
    day = day_text()
    return [
        (channel_id, day(on), start, end, kind, asset, in_point, group, note)
        for start, end, kind, asset, in_point, group, on, note in events
    ]


def load_snapshots(
    session: Session, channel_id: int, only: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Per cursor key (or only the keys `only` names), its state snapshot per broadcast day."""
    query = select(RuleCursor.key, RuleCursor.state).where(RuleCursor.channel_id == channel_id)
    if only is not None:
        query = query.where(RuleCursor.key.in_(list(only)))
    return {key: dict((state or {}).get("days", {})) for key, state in session.execute(query)}


def marks_token(session: Session, channel_id: int) -> tuple[Any, ...]:
    """What identifies the channel's plan marks as last written (each write replaces their
    rows): a write that finds it changed since its plan was read knows another got there."""
    rows = session.execute(
        select(CURSORS.c.key, CURSORS.c.id, CURSORS.c.updated_at)
        .where(CURSORS.c.channel_id == channel_id, CURSORS.c.key.in_((PLAN_KEY, FILL_KEY)))
        .order_by(CURSORS.c.key)
    )
    return tuple(tuple(row) for row in rows)


def delete_snapshots(session: Session, channel_id: int, keys: Iterable[str]) -> None:
    """Remove the channel's rows of `keys`, before `snapshot_rows` of them are written (in
    bulk, like the tiers')."""
    session.execute(
        delete(CURSORS).where(CURSORS.c.channel_id == channel_id, CURSORS.c.key.in_(list(keys)))
    )


def snapshot_rows(
    channel_id: int, snapshots: dict[str, dict[str, Any]], keys: Iterable[str]
) -> list[tuple[Any, ...]]:
    """The rows of `CURSOR_COLUMNS` keeping the snapshots of `keys`: each state as JSON text,
    stamped with the time (UTC) it was made."""
    # Storage bookkeeping, never schedule time (as `models`).
    stamp = dt.datetime.now(dt.UTC)
    return [(channel_id, key, json_text({"days": snapshots.get(key, {})}), stamp) for key in keys]


def bump_revision(session: Session) -> None:
    """Count one change of the playlog; call it last in the transaction that made it, since
    the row stays locked until commit and every planner's transaction takes it."""
    bumped = update(SETTINGS).where(SETTINGS.c.key == REVISION_KEY)
    result = session.execute(
        bumped.values(value=cast(cast(SETTINGS.c.value, BigInteger) + 1, Text))
    )
    if getattr(result, "rowcount", 0):
        return
    try:
        with session.begin_nested():
            session.execute(insert(SETTINGS).values(key=REVISION_KEY, value="1"))
    except exc.IntegrityError:  # another planner created it first
        session.execute(bumped.values(value=cast(cast(SETTINGS.c.value, BigInteger) + 1, Text)))


def revision(session: Session) -> tuple[int, int]:
    """A cheap token of the playlog's state: the change count and the highest event id, two
    primary-key lookups (the id alone can come back on SQLite after the top rows are replaced)."""
    count = session.scalar(select(SETTINGS.c.value).where(SETTINGS.c.key == REVISION_KEY))
    top = session.scalar(select(func.max(EVENTS.c.id)))
    return int(count or 0), int(top or 0)
