"""Driver errors reach services and the operator as our one-line DatabaseError."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from retrovue.errors import DatabaseError
from retrovue.infra.db import Database, open_database
from retrovue.schedule_manager.schedule_service import ScheduleService


def _unreachable(tmp_path: Path) -> Database:
    engine = create_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}")
    return Database(engine, sessionmaker(engine))


TRANSLATED = r"^database (unavailable|refused the change): "


def test_what_is_airing_during_an_outage_raises_database_error(tmp_path: Path) -> None:
    service = ScheduleService(_unreachable(tmp_path))
    with pytest.raises(DatabaseError, match=r"^database unavailable: "):
        service.what_is_airing(2, dt.datetime(2026, 11, 30, tzinfo=dt.UTC))


def test_reading_and_transaction_translate_every_driver_error(database: Database) -> None:
    with pytest.raises(DatabaseError, match=TRANSLATED), database.reading() as session:
        session.execute(text("SELECT * FROM no_such_table"))
    with (
        pytest.raises(DatabaseError, match=TRANSLATED) as raised,
        database.transaction() as session,
    ):
        session.execute(text("SELECT * FROM no_such_table"))
    assert "\n" not in str(raised.value)


def test_a_hot_read_outlives_the_server_dropping_its_connection(database: Database) -> None:
    """The reads pool pings nothing before a read; when the server has dropped the pooled
    connection (as a restart does), the read is made again on a new one, unnoticed."""
    query = text("SELECT pg_backend_pid()" if database.dialect == "postgresql" else "SELECT 1")
    first = database.first(query)
    assert first is not None
    if database.dialect != "postgresql":
        return
    with database.engine.connect() as other:
        dropped = other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": first[0]})
        assert dropped.scalar() is True
    again = database.first(query)
    assert again is not None and again[0] != first[0]
    with pytest.raises(DatabaseError, match=TRANSLATED):  # a real error is not tried again
        database.first(text("SELECT * FROM no_such_table"))


def test_hot_reads_on_postgresql_are_planned_once_for_any_parameters(pg_server_url: str) -> None:
    """Once the playlog has statistics, PostgreSQL planned each `what_is_airing` afresh for
    its parameters (about 1 ms of planning for a 0.1 ms read); the reads pool keeps one
    generic plan per prepared statement. The server's own count of plans says which ran."""
    database = open_database(pg_server_url)
    service = ScheduleService(database)
    try:
        at = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
        for minutes in range(12):  # psycopg prepares a statement from its fifth run
            service.what_is_airing(1 + minutes % 3, at + dt.timedelta(minutes=minutes))
        plans = database.first(
            text(
                "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) "
                "FROM pg_prepared_statements "
                "WHERE statement LIKE '%broadcast_playlog_event%'"
            )
        )
        assert plans is not None
        generic, custom = plans
        assert (generic > 0, custom) == (True, 0), plans
    finally:
        database.dispose()
