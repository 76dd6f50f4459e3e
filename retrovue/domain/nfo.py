"""Kodi / tinyMediaManager `.nfo` sidecars: tvshow.nfo, episode and movie `.nfo` files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Final

from retrovue.domain.editorial import Editorial, clean_rating, parse_day, parse_int

ROOTS: Final = ("tvshow", "episodedetails", "movie", "musicvideo")


def read_nfo(path: Path) -> tuple[str, Editorial] | None:
    """The sidecar's root kind and what it says, or None when it is not an XML `.nfo`.

    Kodi also accepts an `.nfo` that is only a scraper URL, or XML followed by one; such a
    trailing line is cut off before parsing rather than failing the whole file.
    """
    try:
        raw = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    root = _parse(raw)
    if root is None or root.tag not in ROOTS:
        return None
    return root.tag, _editorial(root)


def _parse(raw: str) -> ET.Element | None:
    text = raw.lstrip("\ufeff \r\n\t")
    if not text.startswith("<"):
        return None
    for _ in range(2):
        try:
            return ET.fromstring(text)
        except ET.ParseError:
            # Cut anything after the last closing tag (a scraper URL line) and try once more.
            end = text.rfind(">")
            if end < 0 or end == len(text.rstrip()) - 1:
                return None
            text = text[: end + 1]
    return None


def _text(root: ET.Element, tag: str) -> str | None:
    node = root.find(tag)
    if node is None or node.text is None:
        return None
    value = node.text.strip()
    return value or None


def _editorial(root: ET.Element) -> Editorial:
    aired = parse_day(_text(root, "aired")) or parse_day(_text(root, "premiered"))
    year = parse_int(_text(root, "year")) or (aired.year if aired else None)
    genres: dict[str, None] = {}
    for node in root.findall("genre"):
        # tinyMediaManager writes one <genre> per genre; older Kodi joined them with " / ".
        for part in (node.text or "").split("/"):
            if part.strip():
                genres[part.strip()] = None
    series = _text(root, "showtitle") if root.tag == "episodedetails" else None
    if root.tag == "tvshow":
        series = _text(root, "title")
    return Editorial(
        title=_text(root, "title"),
        series=series,
        season=parse_int(_text(root, "season")),
        episode=parse_int(_text(root, "episode")),
        plot=_text(root, "plot") or _text(root, "outline"),
        genres=tuple(genres),
        content_rating=clean_rating(_text(root, "mpaa")),
        air_date=aired,
        year=year,
    )


class SidecarReader:
    """Editorial records for video files from the sidecars beside them, cached per show.

    `known` is the set of `.nfo` paths a scan saw, so looking for sidecars costs no stat.
    """

    def __init__(self, known: frozenset[str]) -> None:
        self._known = known
        self._shows: dict[str, Editorial | None] = {}

    def editorial(self, video: Path, guessed: Editorial) -> Editorial:
        own = self._own(video)
        show = self._show(video)
        result = guessed
        if show is not None:
            # The show's title is the series; its plot and title describe the show, not the file.
            result = Editorial(
                series=show.title,
                genres=show.genres,
                content_rating=show.content_rating,
            ).over(result)
        if own is not None:
            result = own.over(result)
        return result

    def _own(self, video: Path) -> Editorial | None:
        for candidate in (video.with_suffix(".nfo"), video.parent / "movie.nfo"):
            if str(candidate) in self._known:
                found = read_nfo(candidate)
                if found is not None and found[0] != "tvshow":
                    return found[1]
        return None

    def _show(self, video: Path) -> Editorial | None:
        for folder in (video.parent, video.parent.parent):
            candidate = str(folder / "tvshow.nfo")
            if candidate in self._known:
                if candidate not in self._shows:
                    found = read_nfo(Path(candidate))
                    self._shows[candidate] = found[1] if found else None
                return self._shows[candidate]
        return None
