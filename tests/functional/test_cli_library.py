"""The library CLI as a new operator uses it: a TV folder with .nfo files and commercials."""

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

from retrovue.cli.app import main

CLI = [sys.executable, "-m", "retrovue.cli.app"]


@pytest.fixture(scope="module")
def media() -> Iterator[ModuleType]:
    """The library test media helpers, shared with tests/integration/library."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(Path(__file__).parents[1] / "integration" / "library"))
        yield importlib.import_module("library_media")


@pytest.fixture(scope="module")
def clips(media: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return media.Clips(tmp_path_factory.mktemp("clips"))


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--db", url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def ok(url: str, *args: str) -> str:
    result = run(url, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def as_json(url: str, *args: str) -> Any:
    return json.loads(ok(url, *args, "--json"))


def test_an_operator_adds_syncs_reviews_and_promotes_a_tv_library(
    database_url: str, media: ModuleType, clips: Any, tmp_path: Path
) -> None:
    lib = media.build_library(tmp_path / "media", clips)
    url = database_url
    ok(url, "source", "add", "--type", "filesystem", "--name", "TV", "--path", str(lib["tv"]))
    ok(url, "source", "add", "--type", "filesystem", "--name", "Spots", "--path", str(lib["ads"]),
       "--kind", "commercial", "--tags", "commercial")  # fmt: skip
    summary = as_json(url, "source", "sync", "TV")
    assert (summary["seen"], summary["probed"], summary["failed"]) == (6, 4, 2)
    text = run(url, "source", "sync", "Spots")
    assert text.returncode == 0 and "2 seen" in text.stdout

    flagged = as_json(url, "assets", "list", "--source", "TV", "--status", "needs_review")
    assert sorted(Path(i["path"]).name for i in flagged) == ["Truncated.mkv", "Zero.mkv"]
    assert all(i["error"] for i in flagged)

    episodes = as_json(url, "assets", "list", "--series", "The Show")
    for item in episodes:
        ok(url, "assets", "review", str(item["id"]), "--approve", "--notes", "checked")
    promoted = as_json(url, "assets", "promote", "--source", "TV", "--approved")
    by_episode = {a["episode"]: a for a in promoted}
    assert sorted(by_episode) == [1, 2]
    pilot = by_episode[1]
    assert (pilot["title"], pilot["episode_title"], pilot["season"]) == ("The Show", "The Pilot", 1)
    assert abs(pilot["duration_ms"] - media.ffprobe_duration_ms(lib["pilot"])) <= 50
    assert by_episode[2]["duration_ms"] - media.ffprobe_duration_ms(lib["second"]) in range(-50, 51)
    assert [m["title"] for m in pilot["markers"] if m["kind"] == "chapter"] == [
        "Cold open",
        "Act 1",
    ]
    assert pilot["canonical"] is True

    lib["pilot"].unlink()
    summary = as_json(url, "source", "sync", "TV")
    assert summary["withdrawn"] == 1
    [row] = [a for a in as_json(url, "catalog", "list") if a["id"] == pilot["id"]]
    assert (row["available"], row["canonical"]) == (False, False)


def test_promotion_errors_are_one_line_and_exit_1(
    database_url: str, media: ModuleType, clips: Any, tmp_path: Path
) -> None:
    lib = media.build_library(tmp_path / "media", clips)
    url = database_url
    ok(url, "source", "add", "--type", "filesystem", "--name", "Spots", "--path", str(lib["ads"]))
    ok(url, "source", "sync", "Spots", "--quiet")
    ok(url, "source", "map-path", "Spots", "--from", str(lib["ads"]), "--to", "/mnt/gone")
    [spot] = [i for i in as_json(url, "assets", "list") if i["title"] == "Cola"]
    result = run(url, "assets", "promote", str(spot["id"]))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "/mnt/gone/Cola.mp4 does not exist" in result.stderr
    assert as_json(url, "catalog", "list") == []
    usage = run(url, "assets", "review", str(spot["id"]))
    assert usage.returncode == 1 and "--approve or --reject" in usage.stderr
    assert run(url, "source", "show", "Nope").returncode == 1


def test_source_list_show_and_dry_run_sync_print_stable_json(
    database_url: str, media: ModuleType, clips: Any, tmp_path: Path
) -> None:
    lib = media.build_library(tmp_path / "media", clips)
    url = database_url
    ok(url, "source", "add", "--type", "filesystem", "--name", "TV", "--path", str(lib["tv"]),
       "--tags", "archive")  # fmt: skip
    ok(url, "source", "add", "--type", "plex", "--name", "Plex", "--url", "http://plex:32400",
       "--token", "t", "--library", "TV Shows")  # fmt: skip
    [plex, tv] = as_json(url, "source", "list")
    assert (plex["type"], plex["libraries"], tv["tags"]) == ("plex", ["TV Shows"], ["archive"])
    dry = as_json(url, "source", "sync", "TV", "--dry-run")
    assert dry["dry_run"] is True and dry["added"] == 6
    assert as_json(url, "source", "show", "TV")["items"] == 0
    ok(url, "source", "remove", "Plex")
    assert [s["name"] for s in as_json(url, "source", "list")] == ["TV"]


def test_a_withdrawn_asset_promoted_again_without_a_flag_stays_off_air(
    database_url: str,
    media: ModuleType,
    clips: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def cli(*args: str) -> Any:
        capsys.readouterr()
        assert main(["--db", database_url, *args, "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    lib = media.build_library(tmp_path / "media", clips)
    cli("source", "add", "--type", "filesystem", "--name", "Spots", "--path", str(lib["ads"]))
    cli("source", "sync", "Spots")
    [spot] = [i for i in cli("assets", "list") if i["title"] == "Cola"]
    [asset] = cli("assets", "promote", str(spot["id"]))
    assert asset["canonical"] is True
    cli("catalog", "update", str(asset["id"]), "--no-canonical")
    [again] = cli("assets", "promote", str(spot["id"]))
    assert (again["id"], again["canonical"]) == (asset["id"], False)
    assert cli("catalog", "show", str(asset["id"]))["canonical"] is False
    [cleared] = cli("assets", "promote", str(spot["id"]), "--canonical")
    assert cleared["canonical"] is True
