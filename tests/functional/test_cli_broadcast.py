"""The broadcast CLI as an operator uses it: real commands, real database, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tiny_media import make_clip

from retrovue.cli.app import main
from retrovue.fingerprint import fingerprint

CLI = [sys.executable, "-m", "retrovue.cli.app"]


class Retrovue:
    """Runs `retrovue --db URL ...` through the CLI's entry point, capturing its output."""

    def __init__(self, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.url = url
        self.capsys = capsys

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        self.capsys.readouterr()
        code = main(["--db", self.url, *args])
        captured = self.capsys.readouterr()
        return subprocess.CompletedProcess(args, code, captured.out, captured.err)

    def ok(self, *args: str) -> str:
        result = self(*args)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def json(self, *args: str) -> object:
        return json.loads(self.ok(*args, "--json"))


@pytest.fixture
def retrovue(database_url: str, capsys: pytest.CaptureFixture[str]) -> Retrovue:
    return Retrovue(database_url, capsys)


def _dump(retrovue: Retrovue) -> tuple[object, ...]:
    return (
        retrovue.json("channel", "list"),
        retrovue.json("template", "list"),
        retrovue.json("catalog", "list"),
        retrovue.json("schedule", "assignments", "--channel", "2"),
    )


def test_a_new_operator_lays_out_a_channel(retrovue: Retrovue) -> None:
    retrovue.ok(
        "channel", "add", "--number", "2", "--name", "Two", "--timezone", "America/New_York"
    )
    retrovue.ok("template", "add", "--name", "Day")
    retrovue.ok(
        "template",
        "block",
        "add",
        "--template",
        "Day",
        "--start",
        "06:00",
        "--end",
        "06:00",
        "--tags",
        "sitcom",
    )
    retrovue.ok("schedule", "assign", "--channel", "2", "--template", "Day", "--day", "2026-12-01")
    channels = retrovue.json("channel", "list")
    assert channels == [
        {
            "id": 1,
            "number": 2,
            "name": "Two",
            "timezone": "America/New_York",
            "grid_size": 30,
            "grid_offset": 0,
            "rollover": "06:00",
            "group": None,
            "logo": None,
            "active": True,
            "type": "linear",
            "default_template": None,
            "audio_language": None,
            "second_audio": None,
            "subtitles": "off",
            "bug": None,
            "bug_position": "bottom-right",
            "bug_opacity": 1.0,
            "next_caption": None,
        }
    ]
    blocks = retrovue.json("template", "block", "list", "Day")
    assert isinstance(blocks, list) and blocks[0]["rule"]["tags"] == ["sitcom"]
    assert retrovue.json("schedule", "assignments", "--channel", "2") == [
        {"day": "2026-12-01", "template": "Day"}
    ]
    assert "Two" in retrovue.ok("channel", "list")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "template",
                "block",
                "add",
                "--template",
                "Day",
                "--start",
                "07:00",
                "--end",
                "08:00",
                "--rule",
                '{"tagz": []}',
            ],
            "unknown key 'tagz'",
        ),
        (
            ["channel", "add", "--number", "3", "--name", "X", "--timezone", "Mars/Olympus"],
            "unknown timezone 'Mars/Olympus'",
        ),
        (["channel", "add", "--number", "3", "--name", "X", "--grid-size", "25"], "grid size"),
        (
            [
                "template",
                "block",
                "add",
                "--template",
                "Day",
                "--start",
                "05:00",
                "--end",
                "07:00",
                "--tags",
                "news",
            ],
            "overlaps block 06:00-06:00",
        ),
        (["channel", "add", "--number", "2", "--name", "Again"], "already taken"),
        (
            ["schedule", "assign", "--channel", "9", "--template", "Day", "--day", "2026-12-01"],
            "channel 9 not found",
        ),
        (
            ["schedule", "assign", "--channel", "2", "--template", "Day", "--day", "12/01"],
            "YYYY-MM-DD",
        ),
        (
            [
                "template",
                "block",
                "add",
                "--template",
                "Day",
                "--start",
                "07:00",
                "--end",
                "08:00",
                "--rule",
                "{oops",
            ],
            "not valid JSON",
        ),
    ],
)
def test_bad_input_exits_1_with_one_line_naming_the_problem_and_changes_nothing(
    retrovue: Retrovue, args: list[str], message: str
) -> None:
    retrovue.ok("channel", "add", "--number", "2", "--name", "Two")
    retrovue.ok("template", "add", "--name", "Day")
    retrovue.ok(
        "template",
        "block",
        "add",
        "--template",
        "Day",
        "--start",
        "06:00",
        "--end",
        "06:00",
        "--tags",
        "sitcom",
    )
    before = _dump(retrovue)
    result = retrovue(*args)
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert _dump(retrovue) == before


def test_usage_errors_exit_2_from_the_installed_command(database_url: str) -> None:
    result = subprocess.run(
        [*CLI, "--db", database_url, "channel", "add", "--number", "two", "--name", "Two"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_catalog_assets_are_added_approved_and_listed(retrovue: Retrovue, tmp_path: Path) -> None:
    spot = make_clip(tmp_path / "spot.mkv")
    added = retrovue.json(
        "asset",
        "add",
        "--title",
        "Cola",
        "--duration",
        "00:00:30",
        "--path",
        str(spot),
        "--tags",
        "commercial",
        "--kind",
        "commercial",
    )
    assert isinstance(added, dict) and added["duration_ms"] == 30_000
    assert retrovue.json("catalog", "list", "--canonical-only") == []
    retrovue.ok("catalog", "update", str(added["id"]), "--canonical")
    listed = retrovue.json("catalog", "list", "--canonical-only", "--tag", "commercial")
    assert isinstance(listed, list) and [a["title"] for a in listed] == ["Cola"]
    shown = retrovue.json("catalog", "show", str(added["id"]))
    assert isinstance(shown, dict) and shown["canonical"] is True
    missing = retrovue("asset", "add", "--title", "X", "--duration", "30", "--path", "/nope.mp4")
    assert missing.returncode == 1 and "file not found: /nope.mp4" in missing.stderr


def test_the_default_database_is_created_under_xdg_data_home(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [*CLI, "channel", "list", "--json"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert (tmp_path / "retrovue" / "retrovue.db").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "N" * 201, "--number", "7"], "at most 200 characters"),
        (["--name", "Big", "--number", "3000000000"], "between 1 and 99999"),
    ],
    ids=["name-too-long", "number-out-of-range"],
)
def test_a_value_no_engine_could_hold_is_refused_in_one_line_on_both(
    retrovue: Retrovue, args: list[str], message: str
) -> None:
    result = retrovue("channel", "add", *args)
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert retrovue.json("channel", "list") == []


def test_writing_the_guide_to_a_missing_directory_is_one_line_and_exit_1(
    retrovue: Retrovue, tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "guide.xml"
    result = retrovue("epg", "export", "-o", str(target))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {target}: No such file or directory"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ["--grid-size", "60"],
            "template 'Mornings' on channel 2: block 06:30-07:30 is off the channel's 60-minute",
        ),
        (
            ["--rollover", "07:00"],
            "template 'Mornings' on channel 2: block 06:30-07:30 straddles the channel's rollover",
        ),
        (
            ["--grid-offset", "15", "--rollover", "06:15"],
            "template 'Mornings' on channel 2: block 06:30-07:30 is off the channel's 30-minute",
        ),
    ],
    ids=["grid-size", "rollover", "grid-offset"],
)
def test_a_grid_change_is_refused_when_a_template_assigned_to_a_day_no_longer_fits(
    retrovue: Retrovue, change: list[str], message: str
) -> None:
    retrovue.ok("channel", "add", "--number", "2", "--name", "Two")
    retrovue.ok("template", "add", "--name", "Mornings")
    retrovue.ok("template", "block", "add", "--template", "Mornings", "--start", "06:30",
                "--end", "07:30", "--tags", "news")  # fmt: skip
    retrovue.ok("schedule", "assign", "--channel", "2", "--template", "Mornings",
                "--day", "2026-12-01")  # fmt: skip
    before = _dump(retrovue)
    result = retrovue("channel", "update", "2", *change)
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _dump(retrovue) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"Tonight: the news at ten.\n" * 40, "not playable media: no video stream"),
        ("empty.mkv", b"", "cannot read"),
        ("fake.mkv", b"\x1a\x45\xdf\xa3 not really matroska", "cannot read"),
    ],
    ids=["text", "empty", "fake-header"],
)
def test_asset_add_refuses_a_file_that_is_not_media_in_one_line(
    retrovue: Retrovue, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    fake = tmp_path / name
    fake.write_bytes(content)
    result = retrovue("asset", "add", "--title", "Short", "--duration", "60", "--path",
                      str(fake), "--tags", "s", "--canonical")  # fmt: skip
    assert result.returncode == 1
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert retrovue.json("catalog", "list") == []
    spot = make_clip(tmp_path / "spot.mkv")
    [added] = [retrovue.json("asset", "add", "--title", "Spot", "--path", str(spot))]
    assert isinstance(added, dict)
    refused = retrovue("asset", "update", str(added["id"]), "--path", str(fake))
    assert refused.returncode == 1 and message in refused.stderr
    assert retrovue.json("catalog", "show", str(added["id"]))["file_path"] == str(spot)


def test_asset_add_takes_the_files_duration_and_a_rating_on_the_scale(
    retrovue: Retrovue, tmp_path: Path
) -> None:
    spot = make_clip(tmp_path / "spot.mkv", seconds=2.0)
    added = retrovue.json("asset", "add", "--title", "Spot", "--path", str(spot), "--rating",
                          "tv-pg")  # fmt: skip
    assert isinstance(added, dict)
    assert abs(added["duration_ms"] - 2000) <= 100 and added["rating"] == "TV-PG"
    assert added["canonical"] is False
    assert added["fingerprint"] == fingerprint(spot)
    other = make_clip(tmp_path / "other.mkv", seconds=1.0, colour="red")
    moved = retrovue.json("asset", "update", str(added["id"]), "--path", str(other))
    assert isinstance(moved, dict) and moved["fingerprint"] == fingerprint(other)
    result = retrovue("asset", "add", "--title", "X", "--path", str(spot), "--rating", "PG-14")
    assert result.returncode == 1 and "unknown rating 'PG-14'" in result.stderr


def test_a_guide_channel_takes_no_template_and_no_assignment(retrovue: Retrovue) -> None:
    added = retrovue.json("channel", "add", "--number", "1", "--name", "Guide", "--type", "guide")
    assert isinstance(added, dict) and added["type"] == "guide"
    retrovue.ok("template", "add", "--name", "Day")
    retrovue.ok("channel", "add", "--number", "2", "--name", "Two")
    before = _dump(retrovue)
    refused = [
        retrovue("channel", "add", "--number", "3", "--name", "G2", "--type", "guide",
                 "--default-template", "Day"),
        retrovue("channel", "update", "1", "--default-template", "Day"),
        retrovue("schedule", "assign", "--channel", "1", "--template", "Day",
                 "--day", "2026-12-01"),
        retrovue("channel", "add", "--number", "4", "--name", "X", "--type", "news"),
    ]  # fmt: skip
    for result in refused:
        assert result.returncode == 1, result
        assert len(result.stderr.strip().splitlines()) == 1
    assert "takes no template" in refused[0].stderr
    assert "guide channel" in refused[2].stderr
    assert "channel type must be one of linear, guide" in refused[3].stderr
    assert _dump(retrovue) == before
    listed = retrovue.json("channel", "list")
    assert isinstance(listed, list) and [c["type"] for c in listed] == ["guide", "linear"]
