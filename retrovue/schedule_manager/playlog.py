"""The playlog table read and written in bulk (Core statements, no per-row ORM objects)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple
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
from retrovue.schedule_manager.config import presentation_of
from retrovue.schedule_manager.models import (
    CatalogAsset,
    Channel,
    PlaylogEvent,
    RuleCursor,
    StationSetting,
)
from retrovue.schedule_manager.planner import Aired
from retrovue.schedule_manager.timemath import from_ms, to_ms

EVENTS = typed(Table, PlaylogEvent.__table__)
ASSETS = typed(Table, CatalogAsset.__table__)
CHANNELS = typed(Table, Channel.__table__)
# No event is longer than this; it bounds index range scans that look back from an instant.
LONGEST_EVENT = dt.timedelta(hours=24)
# The cursor key under which each planned day's configuration fingerprint is kept.
PLAN_KEY = "plan"
# The station setting counting playlog changes, so readers can tell cheaply that it moved.
REVISION_KEY = "playlog_revision"
SETTINGS = typed(Table, StationSetting.__table__)

# The next programme after an event, when it belongs to another guide entry: the title a
# programme's last part announces ("Next: TITLE"). Through the (channel_id, start_utc) index.
_NEXT = EVENTS.alias("next_event")
_NEXT_ASSET = ASSETS.alias("next_asset")
_NEXT_TITLE = (
    select(case((_NEXT.c.program_group != EVENTS.c.program_group, _NEXT_ASSET.c.title)))
    .select_from(_NEXT.join(_NEXT_ASSET, _NEXT_ASSET.c.id == _NEXT.c.asset_id))
    .where(
        _NEXT.c.channel_id == EVENTS.c.channel_id,
        _NEXT.c.start_utc >= EVENTS.c.end_utc,
        _NEXT.c.kind == "program",
    )
    .order_by(_NEXT.c.start_utc)
    .limit(1)
    .correlate(EVENTS)
    .scalar_subquery()
)

_ITEM_COLUMNS = (
    EVENTS.c.id,
    CHANNELS.c.number,
    EVENTS.c.broadcast_day,
    EVENTS.c.start_utc,
    EVENTS.c.end_utc,
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

# Through the unique (channel_id, start_utc) index: the last event starting at or before `at`.
AIRING = (
    select(*_ITEM_COLUMNS)
    .select_from(_JOINED)
    .where(CHANNELS.c.number == bindparam("number"), EVENTS.c.start_utc <= bindparam("at"))
    .order_by(EVENTS.c.start_utc.desc())
    .limit(1)
)


def item_of(row: Any) -> ScheduledItem:
    """A result row of `_ITEM_COLUMNS` as the read model."""
    return ScheduledItem(
        event_id=row.id,
        channel_number=row.number,
        broadcast_day=row.broadcast_day,
        start_utc=row.start_utc,
        end_utc=row.end_utc,
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


def items_between(
    session: Session, number: int, start: dt.datetime, end: dt.datetime
) -> list[ScheduledItem]:
    """Events of channel `number` overlapping [start, end), by start."""
    rows = session.execute(
        select(*_ITEM_COLUMNS)
        .select_from(_JOINED)
        .where(
            CHANNELS.c.number == number,
            EVENTS.c.start_utc >= _looking_back(start),
            EVENTS.c.start_utc < end,
            EVENTS.c.end_utc > start,
        )
        .order_by(EVENTS.c.start_utc)
    )
    return [item_of(row) for row in rows]


def first_airings(
    session: Session, asset_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> dict[int, ScheduledItem]:
    """Each asset's first event overlapping [start, end) (any channel), as the read model."""
    if not asset_ids:
        return {}
    rows = session.execute(
        select(*_ITEM_COLUMNS)
        .select_from(_JOINED)
        .where(
            EVENTS.c.asset_id.in_(asset_ids),
            EVENTS.c.start_utc >= _looking_back(start),
            EVENTS.c.start_utc < end,
            EVENTS.c.end_utc > start,
        )
        .order_by(EVENTS.c.start_utc, EVENTS.c.id)
    )
    found: dict[int, ScheduledItem] = {}
    for row in rows:
        found.setdefault(int(row.asset_id), item_of(row))
    return found


def _looking_back(at: dt.datetime) -> dt.datetime:
    """`at` less the longest event, clamped at the earliest representable instant."""
    floor = dt.datetime.min.replace(tzinfo=at.tzinfo)
    return at - LONGEST_EVENT if at - floor > LONGEST_EVENT else floor


def insert_events(session: Session, channel_id: int, events: Sequence[Event]) -> int:
    """Bulk insert (executemany); the database's gate trigger checks every asset again."""
    if not events:
        return 0
    session.execute(
        insert(EVENTS),
        [
            {
                "channel_id": channel_id,
                "broadcast_day": e.broadcast_day,
                "start_utc": from_ms(e.start_ms),
                "end_utc": from_ms(e.end_ms),
                "kind": e.kind,
                "asset_id": e.asset_id,
                "in_point_ms": e.in_point_ms,
                "program_group": e.program_group,
                "note": e.note,
            }
            for e in events
        ],
    )
    return len(events)


def delete_from(session: Session, channel_id: int, cut_ms: int) -> int:
    """Remove every event starting at or after `cut_ms`; returns how many."""
    result = session.execute(
        delete(EVENTS).where(
            EVENTS.c.channel_id == channel_id, EVENTS.c.start_utc >= from_ms(cut_ms)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def delete_before(session: Session, cutoff: dt.datetime) -> int:
    """Trim history: events that ended before `cutoff`."""
    result = session.execute(delete(EVENTS).where(EVENTS.c.end_utc < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def group_end_covering(session: Session, channel_id: int, ms: int) -> int | None:
    """If an event covers `ms`, the end of its whole guide entry (program and its breaks)."""
    at = from_ms(ms)
    row = session.execute(
        select(EVENTS.c.program_group, EVENTS.c.end_utc)
        .where(EVENTS.c.channel_id == channel_id, EVENTS.c.start_utc <= at)
        .order_by(EVENTS.c.start_utc.desc())
        .limit(1)
    ).first()
    if row is None or row.end_utc <= at:
        return None
    group_start = from_ms(int(row.program_group) * 1000)
    end = session.scalar(
        select(func.max(EVENTS.c.end_utc)).where(
            EVENTS.c.channel_id == channel_id,
            EVENTS.c.start_utc >= group_start,
            EVENTS.c.start_utc < group_start + LONGEST_EVENT,
            EVENTS.c.program_group == row.program_group,
        )
    )
    return to_ms(end) if end is not None else to_ms(row.end_utc)


def aired_programs(session: Session, channel_id: int, day: dt.date, before_ms: int) -> list[Aired]:
    """Programs of broadcast `day` that started (their first part) before `before_ms`."""
    rows = session.execute(
        select(EVENTS.c.start_utc, EVENTS.c.asset_id)
        .where(
            EVENTS.c.channel_id == channel_id,
            EVENTS.c.broadcast_day == day,
            EVENTS.c.start_utc < from_ms(before_ms),
            EVENTS.c.kind == "program",
            EVENTS.c.in_point_ms == 0,
            EVENTS.c.asset_id.is_not(None),
        )
        .order_by(EVENTS.c.start_utc)
    )
    return [Aired(to_ms(row.start_utc), int(row.asset_id)) for row in rows]


class Opening(NamedTuple):
    """The program of a guide entry: when its first part started, and what it is."""

    start_utc: dt.datetime
    asset_id: int


def program_of_group(session: Session, number: int, program_group: int) -> Opening | None:
    """The program of channel `number`'s guide entry `program_group`, wherever it lies."""
    group_start = from_ms(program_group * 1000)
    row = session.execute(
        select(EVENTS.c.start_utc, EVENTS.c.asset_id)
        .select_from(EVENTS.join(CHANNELS, CHANNELS.c.id == EVENTS.c.channel_id))
        .where(
            CHANNELS.c.number == number,
            EVENTS.c.start_utc >= group_start,
            EVENTS.c.start_utc < group_start + LONGEST_EVENT,
            EVENTS.c.program_group == program_group,
            EVENTS.c.kind == "program",
            EVENTS.c.asset_id.is_not(None),
        )
        .order_by(EVENTS.c.start_utc)
        .limit(1)
    ).first()
    return None if row is None else Opening(row.start_utc, int(row.asset_id))


def last_end(session: Session, channel_id: int) -> int | None:
    end = session.scalar(
        select(EVENTS.c.end_utc)
        .where(EVENTS.c.channel_id == channel_id)
        .order_by(EVENTS.c.start_utc.desc())
        .limit(1)
    )
    return None if end is None else to_ms(end)


def load_snapshots(session: Session, channel_id: int) -> dict[str, dict[str, Any]]:
    """Per cursor key, its state snapshot per broadcast day (ISO date)."""
    rows = session.execute(
        select(RuleCursor.key, RuleCursor.state).where(RuleCursor.channel_id == channel_id)
    )
    return {key: dict((state or {}).get("days", {})) for key, state in rows}


def save_snapshots(
    session: Session, channel_id: int, snapshots: dict[str, dict[str, Any]], keys: Iterable[str]
) -> None:
    existing = {
        row.key: row
        for row in session.scalars(select(RuleCursor).where(RuleCursor.channel_id == channel_id))
    }
    for key in keys:
        state = {"days": snapshots.get(key, {})}
        if key in existing:
            existing[key].state = state
        else:
            session.add(RuleCursor(channel_id=channel_id, key=key, state=state))
    session.flush()


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
