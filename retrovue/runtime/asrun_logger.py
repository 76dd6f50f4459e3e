"""AsRunLogger: what actually went out, written as it happens from a worker thread."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import queue
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Literal, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from retrovue.errors import RetroVueError
from retrovue.schedule_manager.models import AsRunEvent, Channel

log = logging.getLogger(__name__)

Status = Literal["aired", "substituted", "interrupted", "emergency"]


class UnitOfWork(Protocol):
    """What the logger needs of the station database: one transaction at a time."""

    def transaction(self) -> AbstractContextManager[Session]: ...


@dataclass(frozen=True, slots=True)
class _Start:
    handle: int
    channel_number: int
    playlog_event_id: int | None
    asset_id: int | None
    started_utc: dt.datetime
    status: Status
    reason: str | None


@dataclass(frozen=True, slots=True)
class _End:
    handle: int
    ended_utc: dt.datetime
    status: Status | None
    reason: str | None


class AsRunLogger:
    """Inserts a row when an item starts and completes it when the item ends."""

    def __init__(self, db: UnitOfWork) -> None:
        self._db = db
        self._queue: queue.Queue[_Start | _End | None] = queue.Queue()
        self._handles = itertools.count(1)
        self._rows: dict[int, int] = {}
        self._channel_ids: dict[int, int] = {}
        self._thread = threading.Thread(target=self._work, name="as-run", daemon=True)
        self._thread.start()

    def start(
        self,
        channel_number: int,
        playlog_event_id: int | None,
        asset_id: int | None,
        started_utc: dt.datetime,
        status: Status,
        reason: str | None = None,
    ) -> int:
        """Record that something went on air; returns the handle `end` takes."""
        handle = next(self._handles)
        self._queue.put(
            _Start(handle, channel_number, playlog_event_id, asset_id, started_utc, status, reason)
        )
        return handle

    def end(
        self,
        handle: int,
        ended_utc: dt.datetime,
        status: Status | None = None,
        reason: str | None = None,
    ) -> None:
        """Record when it went off air, and a new status when it did not air as planned."""
        self._queue.put(_End(handle, ended_utc, status, reason))

    def close(self) -> None:
        """Write everything queued, then stop the worker."""
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _work(self) -> None:
        while (entry := self._queue.get()) is not None:
            try:
                with self._db.transaction() as session:
                    self._write(session, entry)
            except (RetroVueError, LookupError) as error:
                log.warning("as-run entry not written: %s", error)
            except Exception:  # a logging failure must never stop playout
                log.exception("as-run entry not written")

    def _write(self, session: Session, entry: _Start | _End) -> None:
        if isinstance(entry, _Start):
            row = AsRunEvent(
                channel_id=self._channel_id(session, entry.channel_number),
                playlog_event_id=entry.playlog_event_id,
                asset_id=entry.asset_id,
                started_utc=entry.started_utc,
                status=entry.status,
                reason=entry.reason,
            )
            session.add(row)
            session.flush()
            self._rows[entry.handle] = row.id
            return
        row_id = self._rows.pop(entry.handle)
        ended = session.get(AsRunEvent, row_id)
        if ended is None:
            raise LookupError(f"as-run row {row_id} vanished")
        row = ended
        row.ended_utc = entry.ended_utc
        if entry.status is not None:
            row.status = entry.status
        if entry.reason is not None:
            row.reason = entry.reason

    def _channel_id(self, session: Session, number: int) -> int:
        if number not in self._channel_ids:
            found = session.scalar(select(Channel.id).where(Channel.number == number))
            if found is None:
                raise LookupError(f"channel {number} is not in the database")
            self._channel_ids[number] = found
        return self._channel_ids[number]
