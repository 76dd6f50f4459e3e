"""Filesystem source: walk root folders for video files and examine each one."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from retrovue.domain.editorial import Editorial
from retrovue.domain.errors import MediaError
from retrovue.domain.naming import VIDEO_EXTENSIONS, guess
from retrovue.domain.nfo import SidecarReader
from retrovue.domain.probe import ProbeResult, probe


@dataclass(frozen=True)
class FileStat:
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Scan:
    """What a walk found: video files with their stat, sidecars, and roots that were absent."""

    files: dict[str, FileStat]
    nfos: frozenset[str]
    missing_roots: tuple[str, ...]

    def under_missing_root(self, path: str) -> bool:
        return any(path == r or path.startswith(r.rstrip("/") + "/") for r in self.missing_roots)


def scan(roots: Iterable[str]) -> Scan:
    """Walk every root (hidden folders and files skipped); one stat per video file.

    A root that is not there (an unmounted disk) is reported rather than read as empty, so a
    sync does not take every file under it for deleted.
    """
    files: dict[str, FileStat] = {}
    nfos: set[str] = set()
    missing: list[str] = []
    for root in roots:
        if not os.path.isdir(root):
            missing.append(root)
            continue
        _walk(root, files, nfos)
    return Scan(files, frozenset(nfos), tuple(missing))


def _walk(folder: str, files: dict[str, FileStat], nfos: set[str]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        # An unreadable folder is skipped; its files stay as they were, never "deleted".
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=True):
            _walk(entry.path, files, nfos)
            continue
        extension = os.path.splitext(entry.name)[1].lower()
        if extension == ".nfo":
            nfos.add(entry.path)
        elif extension in VIDEO_EXTENSIONS:
            try:
                stat = entry.stat(follow_symlinks=True)
            except OSError:
                continue
            files[entry.path] = FileStat(stat.st_size, stat.st_mtime_ns)


@dataclass(frozen=True)
class Examined:
    """One file's probe (or the reason it could not be read) and its editorial record."""

    path: str
    probe: ProbeResult | None
    error: str | None
    editorial: Editorial


def examine(path: str, sidecars: SidecarReader) -> Examined:
    """Probe a file and read its sidecars; never raises for a bad file."""
    file = Path(path)
    editorial = sidecars.editorial(file, guess(file))
    if editorial.title is None:
        # An episode named only by its number is 'Episode 3' in the guide, not its file name.
        fallback = f"Episode {editorial.episode}" if editorial.is_episode else file.stem
        editorial = Editorial(title=fallback).over(editorial)
    try:
        return Examined(path, probe(path), None, editorial)
    except MediaError as error:
        return Examined(path, None, str(error), editorial)
