"""What the client routes read from a real database: the seeded device id and the playlog token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrovue.infra.db import Database, open_database
from retrovue.schedule_manager.schedule_service import ScheduleService

# libhdhomerun's check: nibbles 0, 2, 4 and 6 (from the top) go through this table, and all
# eight XOR to zero.
_TABLE = (0xA, 0x5, 0xF, 0x6, 0x7, 0xC, 0x1, 0xB, 0x9, 0x2, 0x8, 0xD, 0x4, 0x3, 0xE, 0x0)


def _checksum_ok(device_id: str) -> bool:
    nibbles = [int(c, 16) for c in device_id]
    total = 0
    for index, nibble in enumerate(nibbles):
        total ^= _TABLE[nibble] if index % 2 == 0 and index < 7 else nibble
    return total == 0


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def migrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database just made by the migrations (the shared fixture truncates the seeded row)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'station.db'}"
    else:
        url = request.getfixturevalue("fresh_pg_url")
    db = open_database(url)
    yield db
    db.dispose()


def test_the_device_id_is_the_seeded_one_and_passes_the_checksum(migrated: Database) -> None:
    first = ScheduleService(migrated).device_id()
    assert re.fullmatch(r"[0-9A-F]{8}", first)
    assert _checksum_ok(first)
    assert ScheduleService(migrated).device_id() == first


def test_an_empty_playlog_has_a_stable_token(database: Database) -> None:
    assert ScheduleService(database).guide_token() == (0, 0)
    assert ScheduleService(database).guide_token() == ScheduleService(database).guide_token()
