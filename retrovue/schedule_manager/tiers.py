"""What both schedule tiers share: a channel's rows keyed by (channel_id, start_ms)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from retrovue.schedule_manager.models import Channel

CHANNELS: Any = Channel.__table__


def channel_of(number: Any) -> Any:
    """The id of channel `number`, as a scalar subquery: filtering on it (not on the joined
    channel's number) lets PostgreSQL range-scan the (channel_id, start_ms) index."""
    return select(CHANNELS.c.id).where(CHANNELS.c.number == number).scalar_subquery()


def delete_from(session: Session, tier: Table, channel_id: int, cut_ms: int) -> int:
    """Remove the channel's rows starting at or after `cut_ms`; returns how many."""
    result = session.execute(
        delete(tier).where(tier.c.channel_id == channel_id, tier.c.start_ms >= cut_ms)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def delete_before(session: Session, tier: Table, cutoff_ms: int) -> int:
    """Trim history: every channel's rows that ended before `cutoff_ms`."""
    result = session.execute(delete(tier).where(tier.c.end_ms < cutoff_ms))
    return int(getattr(result, "rowcount", 0) or 0)


def last_end(
    session: Session, tier: Table, channel_id: int, before_ms: int | None = None
) -> int | None:
    """Where the channel's last row (of those starting before `before_ms`) ends (None: it has
    none)."""
    query = select(tier.c.end_ms).where(tier.c.channel_id == channel_id)
    if before_ms is not None:
        query = query.where(tier.c.start_ms < before_ms)
    end = session.scalar(query.order_by(tier.c.start_ms.desc()).limit(1))
    return None if end is None else int(end)
