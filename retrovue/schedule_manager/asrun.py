"""The as-run log's write side: what runtime reports went out, written in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from retrovue.schedule_manager.models import AsRunEvent, CatalogAsset, Channel, PlaylogEvent

Status = Literal["aired", "substituted", "interrupted", "emergency"]


@dataclass(frozen=True, slots=True)
class AsRunStart:
    """Something went on air; `handle` is the reporter's own name for the row to come."""

    handle: int
    channel_number: int
    playlog_event_id: int | None
    asset_id: int | None
    started_utc: dt.datetime
    status: Status
    reason: str | None = None
    node: str | None = None


@dataclass(frozen=True, slots=True)
class AsRunEnd:
    """What went on air under `handle` (or the row `row_id`) went off air at `ended_utc`."""

    handle: int
    ended_utc: dt.datetime
    status: Status | None = None
    reason: str | None = None
    row_id: int | None = None


AsRunEntry = AsRunStart | AsRunEnd


def write_entries(session: Session, entries: Sequence[AsRunEntry]) -> dict[int, int]:
    """Write `entries` in order; returns the row id of each start's handle.

    An end names its row by `row_id` when the reporter already knows it, else by the handle
    of a start in the same batch. A start for a channel that no longer exists, or an end
    whose row is gone, is skipped, and a reference to a playlog event or asset removed since
    (an entry written late, after an outage) is left empty: the log records what it can and
    never blocks on what it cannot.
    """
    rows: dict[int, int] = {}
    channel_ids: dict[int, int | None] = {}
    for entry in entries:
        if isinstance(entry, AsRunStart):
            if entry.channel_number not in channel_ids:
                channel_ids[entry.channel_number] = session.scalar(
                    select(Channel.id).where(Channel.number == entry.channel_number)
                )
            channel_id = channel_ids[entry.channel_number]
            if channel_id is None:
                continue
            row = AsRunEvent(
                channel_id=channel_id,
                playlog_event_id=_existing(session, PlaylogEvent, entry.playlog_event_id),
                asset_id=_existing(session, CatalogAsset, entry.asset_id),
                started_utc=entry.started_utc,
                status=entry.status,
                reason=entry.reason,
                node=entry.node,
            )
            session.add(row)
            session.flush()
            rows[entry.handle] = row.id
            continue
        row_id = entry.row_id if entry.row_id is not None else rows.get(entry.handle)
        ended = None if row_id is None else session.get(AsRunEvent, row_id)
        if ended is None:
            continue
        ended.ended_utc = entry.ended_utc
        if entry.status is not None:
            ended.status = entry.status
        if entry.reason is not None:
            ended.reason = entry.reason
    session.flush()
    return rows


def _existing(
    session: Session, model: type[PlaylogEvent] | type[CatalogAsset], key: int | None
) -> int | None:
    return None if key is None or session.get(model, key) is None else key
