"""AsRunLogger: what actually went out, reported as it happens and never lost to an outage.

Entries go to the schedule manager's `record_asrun` from a worker thread, in order. While the
database is away they wait in a bounded journal on disk (under the data directory) and are
written, still in order, when it returns; a station restarted in between writes them then.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import logging
import os
import queue
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from retrovue.errors import RetroVueError
from retrovue.schedule_manager.asrun import AsRunEnd, AsRunEntry, AsRunStart, Status

log = logging.getLogger(__name__)

__all__ = ["AsRunLogger", "Recorder", "Status"]

Recorder = Callable[[Sequence[AsRunEntry]], dict[int, int]]

RETRY_S = 5.0
JOURNAL_LIMIT = 50_000  # entries kept on disk at most: days of an outage on many channels


class AsRunLogger:
    """Reports a start when an item goes on air and its end when it goes off."""

    def __init__(
        self,
        record: Recorder,
        *,
        node: str | None = None,
        journal: Path | None = None,
        retry_s: float = RETRY_S,
        limit: int = JOURNAL_LIMIT,
    ) -> None:
        self._record = record
        self._node = node
        self._journal = journal
        self._retry_s = retry_s
        self._limit = limit
        self._queue: queue.Queue[AsRunEntry | None] = queue.Queue()
        self._backlog: list[AsRunEntry] = _load(journal) if journal is not None else []
        first = max((entry.handle for entry in self._backlog), default=0) + 1
        self._handles = itertools.count(first)
        self._rows: dict[int, int] = {}  # handle -> row id, for starts written and not ended
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._work, name="as-run", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        """Entries not yet written (waiting in memory or in the journal)."""
        return len(self._backlog) + self._queue.qsize()

    def start(
        self,
        channel_number: int,
        playlog_event_id: int | None,
        asset_id: int | None,
        started_utc: dt.datetime,
        status: Status,
        reason: str | None = None,
    ) -> int:
        """Report that something went on air; returns the handle `end` takes."""
        handle = next(self._handles)
        self._queue.put(
            AsRunStart(
                handle, channel_number, playlog_event_id, asset_id, started_utc, status, reason,
                self._node,
            )
        )  # fmt: skip
        return handle

    def end(
        self,
        handle: int,
        ended_utc: dt.datetime,
        status: Status | None = None,
        reason: str | None = None,
    ) -> None:
        """Report when it went off air, and a new status when it did not air as planned."""
        self._queue.put(AsRunEnd(handle, ended_utc, status, reason))

    def close(self, timeout: float = 30.0) -> None:
        """Write what can be written, keep the rest in the journal, then stop the worker."""
        self._closing.set()
        self._queue.put(None)
        self._thread.join(timeout)

    # -- the worker --------------------------------------------------------------------------
    def _work(self) -> None:
        stopping = False
        while not stopping:
            wait = self._retry_s if self._backlog else None
            try:
                first = self._queue.get(timeout=wait)
            except queue.Empty:
                first = None if self._closing.is_set() else _NOTHING
            stopping = first is None
            if first is not None and first is not _NOTHING:
                self._take(first)
            while True:  # everything already queued joins this attempt
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                else:
                    self._take(more)
            if self._backlog:
                self._flush()

    def _take(self, entry: AsRunEntry) -> None:
        if isinstance(entry, AsRunEnd) and entry.row_id is None and entry.handle in self._rows:
            entry = dataclasses.replace(entry, row_id=self._rows.pop(entry.handle))
        self._backlog.append(entry)

    def _flush(self) -> None:
        batch = self._backlog
        try:
            rows = self._record(batch)
        except RetroVueError as error:
            self._keep(f"as-run entries wait for the database: {error}")
            return
        except Exception:  # a logging failure must never stop playout
            log.exception("as-run entries not written")
            self._keep("as-run entries kept after an unexpected error")
            return
        ended = {e.handle for e in batch if isinstance(e, AsRunEnd)}
        self._rows.update({h: row for h, row in rows.items() if h not in ended})
        self._backlog = []
        self._save()

    def _keep(self, message: str) -> None:
        if len(self._backlog) > self._limit:
            dropped = len(self._backlog) - self._limit
            del self._backlog[:dropped]
            log.error("as-run journal full: the %d oldest entries were dropped", dropped)
        log.warning("%s (%d pending)", message, len(self._backlog))
        self._save()

    def _save(self) -> None:
        """Mirror the backlog to the journal: written whole, then renamed into place."""
        if self._journal is None:
            return
        try:
            if not self._backlog:
                self._journal.unlink(missing_ok=True)
                return
            self._journal.parent.mkdir(parents=True, exist_ok=True)
            partial = self._journal.with_name(f".{self._journal.name}.part")
            with open(partial, "w", encoding="utf-8") as out:
                for entry in self._backlog:
                    out.write(json.dumps(_encode(entry)) + "\n")
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, self._journal)
        except OSError as error:
            log.error("as-run journal %s not written: %s", self._journal, error)


_NOTHING: Any = object()  # a retry tick: nothing new came, the backlog is tried again


def _encode(entry: AsRunEntry) -> dict[str, Any]:
    data = dataclasses.asdict(entry)
    for key in ("started_utc", "ended_utc"):
        if key in data:
            data[key] = data[key].isoformat()
    data["type"] = "start" if isinstance(entry, AsRunStart) else "end"
    return data


def _decode(data: dict[str, Any]) -> AsRunEntry:
    kind = data.pop("type")
    if kind == "start":
        data["started_utc"] = dt.datetime.fromisoformat(data["started_utc"])
        return AsRunStart(**data)
    data["ended_utc"] = dt.datetime.fromisoformat(data["ended_utc"])
    return AsRunEnd(**data)


def _load(journal: Path) -> list[AsRunEntry]:
    """Entries a previous run of this station could not write; a damaged line is skipped."""
    entries: list[AsRunEntry] = []
    try:
        lines = journal.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return entries
    except (OSError, UnicodeDecodeError) as error:
        log.error("as-run journal %s unreadable: %s", journal, error)
        return entries
    for number, line in enumerate(lines, 1):
        try:
            entries.append(_decode(json.loads(line)))
        except (ValueError, TypeError, KeyError) as error:
            log.error("as-run journal %s line %d skipped: %s", journal, number, error)
    if entries:
        log.info(
            "as-run journal %s: %d entries from an earlier run to write", journal, len(entries)
        )
    return entries
