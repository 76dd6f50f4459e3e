"""The media server sources through the CLI: adding them, bad input, a sync and a refusal."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

CLI = [sys.executable, "-m", "retrovue.cli.app"]


@pytest.fixture(scope="module")
def fakes() -> Iterator[ModuleType]:
    """The fake servers of tests/integration/library."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(Path(__file__).parents[1] / "integration" / "library"))
        yield importlib.import_module("fake_mediabrowser")


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--db", url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def refused(url: str, *args: str) -> str:
    """The one line a refused command prints, after checking it wrote nothing."""
    result = run(url, *args)
    assert result.returncode == 1, result.stdout
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert json.loads(run(url, "source", "list", "--json").stdout) == []
    return result.stderr.strip()


@pytest.mark.parametrize(
    ("kind", "credential"),
    [("plex", "--token"), ("jellyfin", "--api-key"), ("emby", "--api-key")],
)
def test_a_server_address_that_is_not_one_is_refused_in_one_line(
    database_url: str, kind: str, credential: str
) -> None:
    line = refused(
        database_url,
        "source",
        "add",
        "--type",
        kind,
        "--name",
        "S",
        "--url",
        "not a url",
        credential,
        "k",
    )
    assert line == (
        "error: --url must be an http:// or https:// address such as http://host:8096, "
        "not 'not a url'"
    )


def test_each_server_takes_its_own_credential_and_needs_it(database_url: str) -> None:
    url = database_url
    add = ("source", "add", "--name", "S", "--url", "http://media:8096")
    assert "take --api-key, not --token" in refused(url, *add, "--type", "jellyfin", "--token", "k")
    assert "takes --token, not --api-key" in refused(url, *add, "--type", "plex", "--api-key", "k")
    assert refused(url, *add, "--type", "emby") == (
        "error: an Emby source needs --url and --api-key"
    )


def test_a_jellyfin_library_syncs_from_the_cli_and_a_wrong_key_is_one_line(
    database_url: str, fakes: ModuleType, tmp_path: Path
) -> None:
    from mediabrowser_library import build

    server = fakes.FakeMediaServer("jellyfin", build(shows=1, seasons=1, episodes=3, movies=2))
    try:
        url = database_url
        add = ("source", "add", "--type", "jellyfin", "--url", server.url, "--library", "Shows")
        assert run(url, *add, "--name", "J", "--api-key", fakes.API_KEY).returncode == 0
        summary: dict[str, Any] = json.loads(run(url, "source", "sync", "J", "--json").stdout)
        assert (summary["seen"], summary["added"]) == (3, 3)
        shown = json.loads(run(url, "source", "show", "J", "--json").stdout)
        assert (shown["type"], shown["libraries"], shown["items"]) == ("jellyfin", ["Shows"], 3)
        assert shown["synced_since"] is not None
        assert run(url, *add, "--name", "Wrong", "--api-key", "nope").returncode == 0
        result = run(url, "source", "sync", "Wrong")
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"error: Jellyfin server {server.url} refused the API key (401)"
        )
    finally:
        server.close()
