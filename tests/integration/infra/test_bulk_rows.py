"""The planner's bulk writes keep every value as the ORM would: text of any kind, dates,
times, NULLs, on both engines (SQLite through its JSON path, PostgreSQL through COPY)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from retrovue.errors import DatabaseError
from retrovue.infra.admin_services import ChannelAdminService
from retrovue.infra.db import Database
from retrovue.schedule_manager import epg, playlog
from retrovue.schedule_manager.bulk import prepare, write_rows
from retrovue.schedule_manager.models import EpgEntry, RuleCursor

DAY = dt.date(2026, 12, 1)
START_MS = 1_796_119_200_000
NOTES = [
    'slate: "quoted", it\'s',
    "back\\slash, tab\there, new\nline, carriage\rreturn",
    "Ünïcödé, 日本語, 🎬",
    "percent % and colon: and {braces}",
    None,
]


def test_text_dates_and_nulls_come_back_as_written(database: Database) -> None:
    channel = ChannelAdminService(database).create_channel(2, "Two")["id"]
    notes = NOTES + (["nul \x00 inside"] if database.dialect == "sqlite" else [])
    rows = [
        (channel, DAY if i % 2 else DAY.isoformat(), START_MS + i * 60_000,
         START_MS + (i + 1) * 60_000, "slate", None, note, None)
        for i, note in enumerate(notes)
    ]  # fmt: skip
    with database.reading() as session:
        ordinary = prepare(session, epg.ENTRIES, epg.COLUMNS, rows[: len(NOTES)])
        # SQLite: one JSON array for the statement to unpack (PostgreSQL: COPY data).
        assert isinstance(ordinary.data, str if database.dialect == "sqlite" else bytes)
    with database.transaction() as session:
        write_rows(session, epg.ENTRIES, epg.COLUMNS, rows)
    with database.reading() as session:
        stored = session.execute(
            select(
                EpgEntry.note, EpgEntry.broadcast_day, EpgEntry.asset_id, EpgEntry.layout
            ).order_by(EpgEntry.start_ms)
        ).all()
    assert [row.note for row in stored] == notes
    assert {row.broadcast_day for row in stored} == {DAY}
    assert all(row.asset_id is None and row.layout is None for row in stored)


def test_order_snapshots_keep_their_state_and_a_utc_stamp(database: Database) -> None:
    channel = ChannelAdminService(database).create_channel(2, "Two")["id"]
    state = {"2026-12-01": {"last_key": [1, 2, "", 'Pilot "1"', 7], "drawn": [3, 1, 2]}}
    before = dt.datetime.now(dt.UTC)
    with database.transaction() as session:
        rows = playlog.snapshot_rows(channel, {"sequential:S": state}, ["sequential:S"])
        write_rows(session, playlog.CURSORS, playlog.CURSOR_COLUMNS, rows)
    after = dt.datetime.now(dt.UTC)
    with database.reading() as session:
        row = session.execute(select(RuleCursor.state, RuleCursor.updated_at)).one()
    assert row.state == {"days": state}
    stamp = row.updated_at
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)  # SQLite keeps UTC, naive
    assert before - dt.timedelta(seconds=1) <= stamp <= after + dt.timedelta(seconds=1)


def test_a_value_the_driver_cannot_send_is_a_database_error_and_nothing_is_written(
    database: Database,
) -> None:
    channel = ChannelAdminService(database).create_channel(2, "Two")["id"]
    good = (channel, DAY, START_MS, START_MS + 60_000, "slate", None, "fine", None)
    bad = (channel, DAY, START_MS + 60_000, START_MS + 120_000, "slate", None, "lone \udc80", None)
    refused = pytest.raises(DatabaseError, match=r"^database refused the change: ")
    with refused, database.transaction() as session:
        write_rows(session, epg.ENTRIES, epg.COLUMNS, [good, bad])
    with database.reading() as session:
        assert session.execute(select(EpgEntry.id)).all() == []
