"""The one ffmpeg adapter: which binary it runs, and what a stuck or failed run raises."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from retrovue.errors import FfmpegError, MediaError
from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg


def _script(path: Path, body: str) -> str:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return str(path)


def test_retrovue_ffmpeg_set_after_import_is_the_binary_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chosen = _script(tmp_path / "my-ffmpeg", "exit 0")
    monkeypatch.setenv("RETROVUE_FFMPEG", chosen)
    assert resolve_ffmpeg() == chosen
    assert resolve_ffmpeg({"RETROVUE_FFMPEG": chosen}) == chosen


def test_a_retrovue_ffmpeg_that_names_no_binary_is_refused_by_name() -> None:
    with pytest.raises(FfmpegError, match="/nowhere/ffmpeg"):
        resolve_ffmpeg({"RETROVUE_FFMPEG": "/nowhere/ffmpeg"})


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
        Ffmpeg(stuck).run(["-i", "input.mkv", "out.mkv"], timeout=0.5)
    assert f"{stuck} -hide_banner" in str(raised.value)
    assert "out.mkv" in str(raised.value)


def test_an_ffmpeg_that_fails_raises_with_its_stderr_tail(tmp_path: Path) -> None:
    failing = _script(tmp_path / "bad-ffmpeg", "echo 'Unknown encoder x' >&2; exit 1")
    with pytest.raises(MediaError, match="Unknown encoder x"):
        Ffmpeg(failing).run(["out.mkv"])


def _nice_of(pid: int, task: str) -> int:
    stat = Path(f"/proc/{pid}/task/{task}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[16])


def test_an_ffmpeg_spawned_nice_runs_every_thread_at_that_priority() -> None:
    ffmpeg = Ffmpeg(resolve_ffmpeg())
    process = ffmpeg.spawn(
        ["-f", "lavfi", "-i", "testsrc2=s=640x360:r=30", "-t", "30",
         "-c:v", "libx264", "-preset", "ultrafast", "-f", "null", "-"],
        nice=19,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        tasks: list[str] = []
        while time.monotonic() < deadline and len(tasks) < 2:  # its encoder threads started
            time.sleep(0.1)
            tasks = os.listdir(f"/proc/{process.pid}/task")
        assert len(tasks) >= 2
        assert {_nice_of(process.pid, task) for task in tasks} == {19}
    finally:
        process.close()


def test_a_niceness_out_of_range_is_refused_before_anything_starts() -> None:
    with pytest.raises(ValueError, match="0-19"):
        Ffmpeg("/nowhere/ffmpeg").spawn(["-version"], nice=20)
