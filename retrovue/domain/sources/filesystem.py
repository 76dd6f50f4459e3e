"""Filesystem source: walk root folders for video files and examine each one."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from retrovue.domain.editorial import Editorial
from retrovue.domain.naming import VIDEO_EXTENSIONS, guess
from retrovue.domain.nfo import SidecarReader
from retrovue.domain.probe import ProbeResult, probe
from retrovue.errors import MediaError


@dataclass(frozen=True)
class FileStat:
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Scan:
    """What a walk found: video files with their stat, sidecars, and what could not be looked at.

    `missing_roots` were absent; `unreadable` are folders that could not be listed and files
    that could not be stat'ed. Neither says anything about the files under them.
    """

    files: dict[str, FileStat]
    nfos: frozenset[str]
    missing_roots: tuple[str, ...]
    unreadable: tuple[str, ...] = ()

    def under_missing_root(self, path: str) -> bool:
        return _under_any(path, self.missing_roots)

    def unseen(self, path: str) -> bool:
        """True when the walk could not look at `path`, so its absence proves nothing."""
        return _under_any(path, self.missing_roots) or _under_any(path, self.unreadable)


def _under_any(path: str, folders: Iterable[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def scan(roots: Iterable[str]) -> Scan:
    """Walk every root (hidden folders and files skipped); one stat per video file.

    A root that is not there (an unmounted disk) is reported rather than read as empty, and so
    is a folder or file the walk may not read (EACCES, an NFS EIO), so a sync does not take
    every file under it for deleted. Each folder is walked once, however many symlinks lead
    to it, so a `loop -> ..` link neither recurses nor duplicates items.
    """
    walk = _Walk()
    missing: list[str] = []
    for root in roots:
        if not os.path.isdir(root):
            missing.append(root)
            continue
        walk.folder(root)
    walk.follow_links()
    return Scan(walk.files, frozenset(walk.nfos), tuple(missing), tuple(walk.unreadable))


@dataclass
class _Walk:
    files: dict[str, FileStat] = field(default_factory=dict)
    nfos: set[str] = field(default_factory=set)
    unreadable: list[str] = field(default_factory=list)
    visited: set[tuple[int, int]] = field(default_factory=set)
    linked: list[str] = field(default_factory=list)

    def folder(self, path: str) -> None:
        try:
            info = os.stat(path)
            identity = (info.st_dev, info.st_ino)
            if identity in self.visited:
                return
            self.visited.add(identity)
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except FileNotFoundError:
            return  # removed while we walked: really gone
        except OSError:
            self.unreadable.append(path)
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir(follow_symlinks=True)
            except OSError:  # a symlink whose target may not be looked at
                self.unreadable.append(entry.path)
                continue
            if is_folder and entry.is_symlink():
                self.linked.append(entry.path)
            elif is_folder:
                self.folder(entry.path)
            else:
                self.file(entry)

    def file(self, entry: os.DirEntry[str]) -> None:
        extension = os.path.splitext(entry.name)[1].lower()
        if extension == ".nfo":
            self.nfos.add(entry.path)
        elif extension in VIDEO_EXTENSIONS:
            self.video(entry.path)

    def follow_links(self) -> None:
        """Walk folders reached through symlinks, after every real folder has been walked, so
        a folder is listed under its real path and a link to it adds nothing."""
        while self.linked:
            self.folder(self.linked.pop(0))

    def video(self, path: str) -> None:
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            return  # deleted since the folder was listed, or a dangling symlink
        except OSError:
            self.unreadable.append(path)
            return
        self.files[path] = FileStat(stat.st_size, stat.st_mtime_ns)


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
