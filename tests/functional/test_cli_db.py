"""`retrovue db upgrade`: the one command that changes the schema, on both engines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from retrovue.cli.app import main
from retrovue.infra.db import MIGRATIONS_DIR, create_db_engine, current_revision, migrate

HEAD = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()  # the newest migration file


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return str(request.getfixturevalue("fresh_pg_url"))


def _revision(url: str) -> str | None:
    engine = create_db_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def test_db_upgrade_creates_an_empty_database_and_then_leaves_it_as_it_is(
    empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", empty_url, "db", "upgrade"]) == 0
    assert capsys.readouterr().out == (
        f"database upgraded from an empty database to revision {HEAD}\n"
    )
    assert _revision(empty_url) == HEAD
    assert main(["--db", empty_url, "db", "upgrade"]) == 0
    assert capsys.readouterr().out == f"database already at revision {HEAD}\n"


def test_db_upgrade_brings_an_older_database_to_head_and_says_from_where(
    empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_db_engine(empty_url)
    try:
        migrate(engine, "7c1e0b9a4d21")
    finally:
        engine.dispose()
    assert main(["--db", empty_url, "db", "upgrade", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "before": "7c1e0b9a4d21",
        "revision": HEAD,
        "upgraded": True,
    }
    assert _revision(empty_url) == HEAD


def test_db_upgrade_help_says_what_it_does_and_who_asks_for_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["db", "upgrade", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Bring the database schema up to date and print its revision." in text
    assert "retrovue-station never changes the schema" in text


def test_db_upgrade_of_an_unreachable_database_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    assert main(["--db", url, "db", "upgrade"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: database unavailable:") and err.count("\n") == 1
