"""The demo library's ffmpeg edge: which binary it runs, and what a stuck or failed run raises."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrovue.domain.errors import MediaError
from retrovue.domain.sample_media import resolve_ffmpeg, run_ffmpeg


def _script(path: Path, body: str) -> str:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return str(path)


def test_retrovue_ffmpeg_set_after_import_is_the_binary_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RETROVUE_FFMPEG", "/opt/ffmpeg/bin/ffmpeg")
    assert resolve_ffmpeg() == "/opt/ffmpeg/bin/ffmpeg"
    assert resolve_ffmpeg({"RETROVUE_FFMPEG": "/x/ffmpeg"}) == "/x/ffmpeg"


def test_without_retrovue_ffmpeg_an_ffmpeg_on_path_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = _script(tmp_path / "ffmpeg", "exit 0")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert resolve_ffmpeg({}) == found


def test_an_ffmpeg_that_hangs_is_stopped_with_an_error_naming_the_command(
    tmp_path: Path,
) -> None:
    stuck = _script(tmp_path / "stuck-ffmpeg", "exec sleep 30")
    with pytest.raises(MediaError, match=r"ran over 0\.5 s") as raised:
        run_ffmpeg(stuck, ["-i", "input.mkv", "out.mkv"], timeout=0.5)
    assert f"{stuck} -hide_banner" in str(raised.value)
    assert "out.mkv" in str(raised.value)


def test_an_ffmpeg_that_fails_raises_with_its_stderr_tail(tmp_path: Path) -> None:
    failing = _script(tmp_path / "bad-ffmpeg", "echo 'Unknown encoder x' >&2; exit 1")
    with pytest.raises(MediaError, match="Unknown encoder x"):
        run_ffmpeg(failing, ["out.mkv"])
