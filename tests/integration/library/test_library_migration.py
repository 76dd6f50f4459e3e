"""Migration 7c1e0b9a4d21 (library domain) up from the broadcast schema and back."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from retrovue.domain.models import LibraryBase
from retrovue.infra.db import create_db_engine, current_revision, downgrade, migrate
from retrovue.infra.metadata import target_metadata

LIBRARY_TABLES = {t.name for t in LibraryBase.metadata.tables.values()}


def _tables(url: str, schema: str | None) -> set[str]:
    engine = create_db_engine(url)
    try:
        return set(inspect(engine).get_table_names(schema=schema))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.db'}"
    return str(request.getfixturevalue("fresh_pg_url"))


def test_the_library_revision_migrates_up_from_broadcast_and_back(empty_url: str) -> None:
    schema = "library" if empty_url.startswith("postgresql") else None
    engine = create_db_engine(empty_url)
    try:
        migrate(engine, "68fecbe0ea79")
        assert not LIBRARY_TABLES & _tables(empty_url, schema)
        migrate(engine, "7c1e0b9a4d21")
        assert current_revision(engine) == "7c1e0b9a4d21"
        assert _tables(empty_url, schema) >= LIBRARY_TABLES
        downgrade(engine, "68fecbe0ea79")
        assert current_revision(engine) == "68fecbe0ea79"
        assert not LIBRARY_TABLES & _tables(empty_url, schema)
        migrate(engine, "7c1e0b9a4d21")
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_migrated_postgres_schema_matches_the_orm_metadata(fresh_pg_url: str) -> None:
    engine = create_db_engine(fresh_pg_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_schemas": True, "compare_type": True}
            )
            # Alembic compares a sequence of MetaData (env.py passes one), though it types one.
            assert compare_metadata(context, target_metadata()) == []  # type: ignore[arg-type]
    finally:
        engine.dispose()
