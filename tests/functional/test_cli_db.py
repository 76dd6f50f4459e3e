"""`retrovue db upgrade`: the one command that changes the schema, on both engines."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
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


def test_the_station_refuses_an_empty_database_until_db_upgrade_then_serves(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    station = [sys.executable, "-m", "retrovue.runtime.station", "serve", "--db", url]
    refused = subprocess.run(
        [*station, "--port", "9"], capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "RETROVUE_DATA_DIR": str(tmp_path / "data")},
    )  # fmt: skip
    assert refused.returncode == 1
    lines = [line for line in refused.stderr.splitlines() if line.startswith("retrovue-station")]
    assert lines == [
        f"retrovue-station: the database {url} does not exist: run `retrovue db upgrade`"
    ]
    assert not (tmp_path / "fresh.db").exists()  # the station made nothing
    assert main(["--db", url, "db", "upgrade"]) == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serving = subprocess.Popen(
        [*station, "--port", str(port), "--plan-every", "0"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env={**os.environ, "RETROVUE_DATA_DIR": str(tmp_path / "d")},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError("the station did not serve after db upgrade")
    finally:
        serving.terminate()
        assert serving.wait(20) == 0
