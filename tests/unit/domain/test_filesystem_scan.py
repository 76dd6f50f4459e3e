"""The filesystem walk: what it lists, what it could not read, and symlinks that loop."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from retrovue.domain.sources.filesystem import scan


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not really video")
    return path


def _refusing(real: Callable[..., Any], refused: set[str], code: int) -> Callable[..., Any]:
    def call(path: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(path) in refused:
            raise OSError(code, os.strerror(code), os.fspath(path))
        return real(path, *args, **kwargs)

    return call


@pytest.fixture
def deny(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, Path, int], None]]:
    """Make `os.scandir` or `os.stat` fail for one path, as chmod 000 or a sick NFS mount would.

    The tests run as root, where chmod 000 does not stop a read, so the refusal is simulated at
    the call the walk makes.
    """

    def refuse(call: str, path: Path, code: int = errno.EACCES) -> None:
        monkeypatch.setattr(os, call, _refusing(getattr(os, call), {str(path)}, code))

    yield refuse


def test_a_scan_lists_video_files_and_sidecars_and_skips_hidden_ones(tmp_path: Path) -> None:
    episode = _touch(tmp_path / "Show" / "Show - S01E01.mkv")
    nfo = _touch(tmp_path / "Show" / "tvshow.nfo")
    _touch(tmp_path / ".trash" / "old.mkv")
    _touch(tmp_path / "Show" / "notes.txt")
    found = scan([str(tmp_path)])
    assert list(found.files) == [str(episode)]
    assert found.nfos == {str(nfo)}
    assert (found.missing_roots, found.unreadable) == ((), ())


def test_a_folder_that_cannot_be_listed_is_reported_and_shields_its_subtree(
    tmp_path: Path, deny: Callable[[str, Path, int], None]
) -> None:
    kept = _touch(tmp_path / "Movies" / "Film.mkv")
    locked = tmp_path / "Shows"
    _touch(locked / "Season 01" / "Episode.mkv")
    deny("scandir", locked, errno.EACCES)
    found = scan([str(tmp_path)])
    assert list(found.files) == [str(kept)]
    assert found.unreadable == (str(locked),)
    assert found.unseen(str(locked / "Season 01" / "Episode.mkv"))
    assert not found.unseen(str(tmp_path / "Showsreel.mkv"))
    assert not found.unseen(str(kept))


def test_a_file_whose_stat_fails_is_reported_instead_of_dropped(
    tmp_path: Path, deny: Callable[[str, Path, int], None]
) -> None:
    sick = _touch(tmp_path / "nfs" / "Sick.mkv")
    well = _touch(tmp_path / "nfs" / "Well.mkv")
    deny("stat", sick, errno.EIO)
    found = scan([str(tmp_path)])
    assert list(found.files) == [str(well)]
    assert found.unreadable == (str(sick),)
    assert found.unseen(str(sick))


def test_a_dangling_symlink_is_neither_a_file_nor_unreadable(tmp_path: Path) -> None:
    (tmp_path / "Gone.mkv").symlink_to(tmp_path / "nowhere.mkv")
    found = scan([str(tmp_path)])
    assert (found.files, found.unreadable) == ({}, ())


def test_a_symlink_loop_is_walked_once_and_lists_each_file_once(tmp_path: Path) -> None:
    episode = _touch(tmp_path / "Show" / "Season 01" / "Episode.mkv")
    (tmp_path / "Show" / "Season 01" / "loop").symlink_to("..")
    (tmp_path / "Show" / "self").symlink_to(".")
    (tmp_path / "again").symlink_to(tmp_path / "Show")
    found = scan([str(tmp_path)])
    assert list(found.files) == [str(episode)]
    assert found.unreadable == ()


def test_overlapping_roots_list_a_file_once(tmp_path: Path) -> None:
    episode = _touch(tmp_path / "Show" / "Episode.mkv")
    found = scan([str(tmp_path), str(tmp_path / "Show")])
    assert list(found.files) == [str(episode)]


def test_a_folder_reached_by_a_symlink_too_is_listed_under_its_real_path(
    tmp_path: Path,
) -> None:
    episode = _touch(tmp_path / "b" / "Shows" / "Episode.mkv")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "0 shortcut").symlink_to(tmp_path / "b" / "Shows")
    found = scan([str(tmp_path)])
    assert list(found.files) == [str(episode)]


def test_a_folder_reached_only_by_a_symlink_is_walked(tmp_path: Path) -> None:
    elsewhere = _touch(tmp_path / "elsewhere" / "Film.mkv")
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "Films").symlink_to(elsewhere.parent)
    found = scan([str(tmp_path / "root")])
    assert list(found.files) == [str(tmp_path / "root" / "Films" / "Film.mkv")]
