"""The as-run log loses nothing to a database outage: entries wait on disk, in order."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from retrovue.errors import DatabaseError
from retrovue.runtime.asrun_logger import AsRunLogger
from retrovue.schedule_manager.asrun import AsRunEntry, AsRunStart

START = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC)


class FlakyDatabase:
    """Writes entries like the schedule manager does (all or none), or fails while down."""

    def __init__(self) -> None:
        self.down = threading.Event()
        self.rows: dict[int, dict[str, object]] = {}
        self.attempts = 0
        self._next_id = 100

    def record(self, entries: Sequence[AsRunEntry]) -> dict[int, int]:
        self.attempts += 1
        if self.down.is_set():
            raise DatabaseError("database unavailable: connection refused")
        ids: dict[int, int] = {}
        for entry in entries:
            if isinstance(entry, AsRunStart):
                self._next_id += 1
                ids[entry.handle] = self._next_id
                self.rows[self._next_id] = {"started": entry.started_utc, "ended": None}
            else:
                row = entry.row_id if entry.row_id is not None else ids[entry.handle]
                self.rows[row]["ended"] = entry.ended_utc
        return ids


def wait_for(condition: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


def at(seconds: int) -> dt.datetime:
    return START + dt.timedelta(seconds=seconds)


def test_entries_made_while_the_database_is_away_are_written_in_order_when_it_returns(
    tmp_path: Path,
) -> None:
    db = FlakyDatabase()
    journal = tmp_path / "asrun" / "node.jsonl"
    log = AsRunLogger(db.record, node="node", journal=journal, retry_s=0.05)
    first = log.start(1, 10, 20, at(0), "aired")
    wait_for(lambda: len(db.rows) == 1)
    db.down.set()
    log.end(first, at(30))  # the start was written; its end waits
    second = log.start(1, 11, None, at(30), "substituted", "slate")
    log.end(second, at(60))
    wait_for(lambda: journal.is_file() and len(journal.read_text().splitlines()) == 3)
    assert log.pending == 3
    db.down.clear()
    wait_for(lambda: log.pending == 0)
    assert not journal.exists()
    log.close()
    assert [(r["started"], r["ended"]) for r in db.rows.values()] == [
        (at(0), at(30)),
        (at(30), at(60)),
    ]


def test_entries_a_stopped_station_could_not_write_are_written_by_the_next_run(
    tmp_path: Path,
) -> None:
    db = FlakyDatabase()
    journal = tmp_path / "node.jsonl"
    db.down.set()
    log = AsRunLogger(db.record, node="node", journal=journal, retry_s=0.05)
    handle = log.start(2, None, None, at(0), "substituted", "database down")
    log.end(handle, at(10), "substituted")
    log.close(timeout=5)
    assert len(journal.read_text().splitlines()) == 2
    db.down.clear()
    again = AsRunLogger(db.record, node="node", journal=journal, retry_s=0.05)
    later = again.start(2, None, None, at(10), "aired")
    assert later > handle  # handles never collide with the journal's
    again.close()
    assert not journal.exists()
    assert [(r["started"], r["ended"]) for r in db.rows.values()] == [
        (at(0), at(10)),
        (at(10), None),
    ]


def test_the_journal_is_bounded_and_drops_the_oldest_entries(tmp_path: Path) -> None:
    db = FlakyDatabase()
    db.down.set()
    journal = tmp_path / "node.jsonl"
    log = AsRunLogger(db.record, node="node", journal=journal, retry_s=0.05, limit=4)
    for second in range(10):
        log.start(3, None, None, at(second), "substituted")
    wait_for(lambda: journal.is_file() and log.pending == 4)
    log.close(timeout=5)
    kept = journal.read_text().splitlines()
    assert len(kept) == 4 and '"started_utc": "2026-12-01T20:00:09+00:00"' in kept[-1]


def test_a_damaged_journal_line_is_skipped_and_the_rest_is_written(tmp_path: Path) -> None:
    db = FlakyDatabase()
    journal = tmp_path / "node.jsonl"
    db.down.set()
    log = AsRunLogger(db.record, journal=journal, retry_s=0.05)
    log.start(1, None, None, at(0), "aired")
    log.close(timeout=5)
    journal.write_text("{not json\n" + journal.read_text())
    db.down.clear()
    AsRunLogger(db.record, journal=journal, retry_s=0.05).close()
    assert [r["started"] for r in db.rows.values()] == [at(0)]
