"""Shared fixtures: every database test runs on SQLite, and on PostgreSQL when
RETROVUE_TEST_DATABASE_URL names a server database (under CI=true it must be reachable)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from retrovue.infra.db import Database, normalise_url, open_database

PG_ENV = "RETROVUE_TEST_DATABASE_URL"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _pg_base_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if IN_CI:
            pytest.fail(f"{PG_ENV} is not set; CI must test on PostgreSQL")
        return None
    return normalise_url(url)


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The PostgreSQL URL under test; skipped (never in CI) when none is configured."""
    url = _pg_base_url()
    if url is None:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (set by .ci/run)")
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure to reach the server
        if IN_CI:
            pytest.fail(f"PostgreSQL at {url} unreachable under CI: {error}")
        pytest.skip(f"PostgreSQL at {url} unreachable: {error}")
    return url


@pytest.fixture
def fresh_pg_url(pg_server_url: str) -> Iterator[str]:
    """A brand-new, empty PostgreSQL database on the test server, dropped afterwards."""
    name = f"rv_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_all(database: Database) -> None:
    with database.engine.begin() as connection:
        tables = connection.execute(
            text(
                "SELECT schemaname || '.' || tablename FROM pg_tables "
                "WHERE schemaname IN ('broadcast', 'library')"
            )
        ).scalars()
        names = ", ".join(tables)
        if names:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty station database URL, once per engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'retrovue.db'}"
        return
    url = request.getfixturevalue("pg_server_url")
    database = open_database(url)
    _truncate_all(database)
    try:
        yield url
    finally:
        _truncate_all(database)
        database.dispose()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """An open station database (SQLite and PostgreSQL), migrated to head."""
    db = open_database(database_url)
    try:
        yield db
    finally:
        db.dispose()
