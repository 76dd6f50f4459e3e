"""Fixtures: databases just made by the migrations, their seeded station row kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retrovue.infra.db import Database, open_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def migrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh station database (the shared `database` fixture truncates the seeded row)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'station.db'}"
    else:
        url = request.getfixturevalue("fresh_pg_url")
    db = open_database(url)
    yield db
    db.dispose()
