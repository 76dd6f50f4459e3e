"""`retrovue channel add|update` presentation flags: languages, subtitles, bug, Next caption."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from retrovue.cli.app import main

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def _run(url: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--db", url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def _show(url: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, err = _run(url, capsys, "channel", "show", "4", "--json")
    assert code == 0, err
    return dict(json.loads(out))


def test_presentation_flags_are_stored_normalised_and_shown(
    database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bug = tmp_path / "bug.png"
    bug.write_bytes(PNG)
    code, _, err = _run(
        database_url, capsys, "channel", "add", "--number", "4", "--name", "Four",
        "--audio-language", "en,und", "--second-audio", "spa", "--subtitles", "forced",
        "--bug", str(bug), "--bug-position", "top-right", "--bug-opacity", "0.5",
        "--next-caption", "20",
    )  # fmt: skip
    assert code == 0, err
    shown = _show(database_url, capsys)
    assert {k: shown[k] for k in ("audio_language", "second_audio", "subtitles")} == {
        "audio_language": "eng,und", "second_audio": "spa", "subtitles": "forced",
    }  # fmt: skip
    assert (shown["bug"], shown["bug_position"], shown["bug_opacity"]) == (
        str(bug.resolve()), "top-right", 0.5,
    )  # fmt: skip
    assert shown["next_caption"] == 20
    code, _, err = _run(
        database_url, capsys, "channel", "update", "4", "--subtitles", "deu", "--bug", "",
        "--next-caption", "0",
    )  # fmt: skip
    assert code == 0, err
    shown = _show(database_url, capsys)
    assert (shown["subtitles"], shown["bug"], shown["next_caption"]) == ("ger", None, None)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--audio-language", "eng,klingon"), "'klingon' is not an ISO 639 language code"),
        (("--second-audio", "und"), "--second-audio needs a language"),
        (("--subtitles", "sometimes"), "'sometimes' is not an ISO 639 language code"),
        (("--bug", "/nonexistent/bug.png"), "--bug: cannot read /nonexistent/bug.png"),
        (("--bug-position", "middle"), "--bug-position must be one of"),
        (("--bug-opacity", "1.5"), "--bug-opacity must be from 0 to 1"),
        (("--next-caption", "-3"), "--next-caption must be 0 (off) to 600 seconds"),
    ],
)
def test_a_bad_presentation_flag_is_one_line_exit_1_and_writes_nothing(
    flags: tuple[str, ...], message: str, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(
        database_url, capsys, "channel", "add", "--number", "4", "--name", "F", *flags
    )
    assert code == 1
    assert message in err and len(err.strip().splitlines()) == 1
    code, out, _ = _run(database_url, capsys, "channel", "list", "--json")
    assert json.loads(out) == []


def test_a_bug_that_is_not_a_png_is_refused(
    database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fake = tmp_path / "bug.png"
    fake.write_text("GIF89a")
    code, _, err = _run(database_url, capsys, "channel", "add", "--number", "4", "--name", "F",
                        "--bug", str(fake))  # fmt: skip
    assert code == 1 and "is not a PNG image" in err
