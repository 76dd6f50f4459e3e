"""Driver errors reach services and the operator as our one-line DatabaseError."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from retrovue.errors import DatabaseError
from retrovue.infra.db import Database
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
