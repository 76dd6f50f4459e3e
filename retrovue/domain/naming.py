"""Editorial guesses from file and folder names, for libraries without sidecars."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Final

from retrovue.domain.editorial import Editorial

VIDEO_EXTENSIONS: Final = frozenset(
    {".mkv", ".mp4", ".m4v", ".mov", ".avi", ".ts", ".m2ts", ".mpg", ".mpeg", ".wmv", ".webm"}
)

# S01E02, s1e2, 1x02: the three spellings scene and tinyMediaManager names use.
_EPISODE = re.compile(
    r"(?i)(?<![a-z0-9])s(\d{1,2})[ ._-]?e(\d{1,3})|(?<!\d)(\d{1,2})x(\d{2,3})(?!\d)"
)
_SEASON_DIR = re.compile(r"(?i)^(?:season|series|staffel|saison)[ ._-]*(\d{1,3})$|^s(\d{1,2})$")
_MOVIE = re.compile(r"^(?P<title>.+?)[ ._]*[(\[](?P<year>(?:19|20)\d{2})[)\]]")
_SEPARATORS = re.compile(r"[._]+")
# Release-group noise that follows the title in scene names.
_NOISE = re.compile(r"(?i)\b(?:480p|576p|720p|1080p|2160p|web-?dl|bluray|hdtv|x264|x265|h264)\b.*$")


def tidy(text: str) -> str:
    """'The.Show_Name - ' -> 'The Show Name'."""
    words = _SEPARATORS.sub(" ", text)
    words = _NOISE.sub("", words)
    return re.sub(r"\s+", " ", words).strip(" -–")


def season_from_folder(name: str) -> int | None:
    match = _SEASON_DIR.match(name.strip())
    if not match:
        return None
    return int(match[1] or match[2])


def guess(path: PurePath) -> Editorial:
    """Series, season, episode and title from `Show/Season 01/Show - S01E02 - Title.mkv`,
    `Show/Show.S01E02.mkv` or `Movie (1986)/Movie (1986).mkv`."""
    stem = path.stem
    match = _EPISODE.search(stem)
    if match:
        season = int(match[1] or match[3])
        episode = int(match[2] or match[4])
        before, after = tidy(stem[: match.start()]), tidy(stem[match.end() :])
        series = before or _series_from_folders(path) or None
        return Editorial(
            title=after or None,
            series=series,
            season=season,
            episode=episode,
        )
    movie = _MOVIE.match(stem)
    if movie:
        return Editorial(title=tidy(movie["title"]), year=int(movie["year"]))
    return Editorial(title=tidy(stem) or stem)


def _series_from_folders(path: PurePath) -> str | None:
    parent = path.parent
    if season_from_folder(parent.name) is not None:
        parent = parent.parent
    name = tidy(parent.name)
    return name or None
