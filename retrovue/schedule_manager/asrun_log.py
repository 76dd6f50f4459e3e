"""The as-run log's read side: what actually aired on a channel's broadcast day, and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from retrovue.infra.db import Database
from retrovue.schedule_manager.config import load_channel
from retrovue.schedule_manager.models import AsRunEvent, CatalogAsset, PlaylogEvent


@dataclass(frozen=True, slots=True)
class AsRunRow:
    """One as-run row with the title and kind of what aired (None where the asset is gone)."""

    started_utc: dt.datetime
    ended_utc: dt.datetime | None
    status: str
    reason: str | None
    kind: str | None
    title: str | None
    asset_id: int | None
    playlog_event_id: int | None
    node: str | None


def asrun_day(db: Database, channel_number: int, day: dt.date) -> list[AsRunRow]:
    """The rows that started within the channel's broadcast day `day`, in order."""
    with db.reading() as session:
        channel = load_channel(session, channel_number)
        start, end = channel.clock.day_span(day)
        event = aliased(PlaylogEvent)
        rows = session.execute(
            select(AsRunEvent, CatalogAsset.title, CatalogAsset.kind, event.kind)
            .outerjoin(CatalogAsset, CatalogAsset.id == AsRunEvent.asset_id)
            .outerjoin(event, event.id == AsRunEvent.playlog_event_id)
            .where(
                AsRunEvent.channel_id == channel.id,
                AsRunEvent.started_utc >= start,
                AsRunEvent.started_utc < end,
            )
            .order_by(AsRunEvent.started_utc, AsRunEvent.id)
        ).all()
        return [
            AsRunRow(
                started_utc=row.started_utc,
                ended_utc=row.ended_utc,
                status=row.status,
                reason=row.reason,
                kind=asset_kind or event_kind,
                title=title,
                asset_id=row.asset_id,
                playlog_event_id=row.playlog_event_id,
                node=row.node,
            )
            for row, title, asset_kind, event_kind in rows
        ]
