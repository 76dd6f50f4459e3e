"""Plex source: libraries, shows, seasons, episodes and movies over Plex's HTTP API.

Plain HTTP (httpx + ElementTree) rather than python-plexapi: we read five endpoints and a
dozen attributes, and plexapi would add a dependency with its own session, retries and
config file, fetch lazily behind attribute access (an unseen request per attribute during a
sync) and hide the exact XML the fake server in our tests must reproduce. The XML shape is
small and stable; reading it directly keeps every request explicit and testable.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

import httpx

from retrovue.domain.editorial import Editorial, clean_rating, parse_day, parse_int
from retrovue.domain.markers import MarkerSpec, break_candidates
from retrovue.domain.probe import AudioStream, ProbeResult
from retrovue.errors import SourceError

VIDEO_SECTIONS: Final = ("show", "movie")
TIMEOUT_S: Final = 30.0


@dataclass(frozen=True)
class PlexEntry:
    """One playable file as Plex lists it (the first Part of the first Media)."""

    rating_key: str
    updated_at: int | None
    path: str
    size: int
    duration_ms: int | None
    editorial: Editorial
    technical: ProbeResult


@dataclass(frozen=True)
class PlexDetail:
    """What only the item's own endpoint tells: chapters, intro/credits markers, genres."""

    markers: tuple[MarkerSpec, ...]
    genres: tuple[str, ...]


class PlexClient:
    """A Plex Media Server reached with an `X-Plex-Token`."""

    def __init__(self, url: str, token: str, http: httpx.Client | None = None) -> None:
        self._base = url.rstrip("/")
        self._http = http or httpx.Client(timeout=TIMEOUT_S)
        self._token = token

    def close(self) -> None:
        self._http.close()

    def _get(self, path: str, **params: str) -> ET.Element:
        headers = {"X-Plex-Token": self._token, "Accept": "application/xml"}
        try:
            response = self._http.get(self._base + path, params=params, headers=headers)
        except httpx.HTTPError as error:
            raise SourceError(f"Plex server {self._base} unreachable: {error}") from None
        if response.status_code == 401:
            raise SourceError(f"Plex server {self._base} refused the token (401)")
        if response.status_code != 200:
            raise SourceError(f"Plex server {self._base}{path} answered {response.status_code}")
        try:
            return ET.fromstring(response.content)
        except ET.ParseError as error:
            raise SourceError(f"Plex server {self._base}{path} sent bad XML: {error}") from None

    def sections(self, names: Sequence[str] = ()) -> list[tuple[str, str, str]]:
        """(key, title, type) of the video libraries, limited to `names` when given."""
        found = [
            (d.get("key", ""), d.get("title", ""), d.get("type", ""))
            for d in self._get("/library/sections").iter("Directory")
            if d.get("type") in VIDEO_SECTIONS
        ]
        if names:
            titles = {title.lower() for _, title, _ in found}
            for name in names:
                if name.lower() not in titles:
                    raise SourceError(f"Plex has no video library named {name!r}")
            wanted = {n.lower() for n in names}
            found = [s for s in found if s[1].lower() in wanted]
        return found

    def entries(self, names: Sequence[str] = ()) -> Iterator[PlexEntry]:
        """Every episode and movie of the chosen libraries."""
        for key, _title, kind in self.sections(names):
            listing = self._get(f"/library/sections/{key}/all")
            if kind == "movie":
                for video in listing.iter("Video"):
                    entry = _entry(video, Editorial())
                    if entry is not None:
                        yield entry
                continue
            for show in listing.iter("Directory"):
                yield from self._episodes(show)

    def _episodes(self, show: ET.Element) -> Iterator[PlexEntry]:
        context = Editorial(
            series=show.get("title"),
            genres=_tags(show, "Genre"),
            content_rating=clean_rating(show.get("contentRating")),
        )
        seasons = self._get(f"/library/metadata/{show.get('ratingKey')}/children")
        for season in seasons.iter("Directory"):
            if season.get("type") != "season":
                continue
            episodes = self._get(f"/library/metadata/{season.get('ratingKey')}/children")
            for video in episodes.iter("Video"):
                entry = _entry(video, context)
                if entry is not None:
                    yield entry

    def detail(self, rating_key: str) -> PlexDetail:
        root = self._get(f"/library/metadata/{rating_key}", includeChapters="1", includeMarkers="1")
        video = root.find("Video")
        if video is None:
            raise SourceError(f"Plex item {rating_key} has no video")
        duration = parse_int(video.get("duration"))
        markers: list[MarkerSpec] = []
        for chapter in video.iter("Chapter"):
            start = parse_int(chapter.get("startTimeOffset")) or 0
            markers.append(
                MarkerSpec(
                    "chapter", start, parse_int(chapter.get("endTimeOffset")), chapter.get("tag")
                )
            )
        markers += break_candidates((m.start_ms for m in markers), duration)
        for marker in video.iter("Marker"):
            kind = marker.get("type")
            if kind in ("intro", "credits"):
                markers.append(
                    MarkerSpec(
                        "intro" if kind == "intro" else "credits",
                        parse_int(marker.get("startTimeOffset")) or 0,
                        parse_int(marker.get("endTimeOffset")),
                    )
                )
        return PlexDetail(tuple(markers), _tags(video, "Genre"))


def _tags(element: ET.Element, tag: str) -> tuple[str, ...]:
    return tuple(t.get("tag", "") for t in element.findall(tag) if t.get("tag"))


def _entry(video: ET.Element, context: Editorial) -> PlexEntry | None:
    media = video.find("Media")
    part = media.find("Part") if media is not None else None
    if media is None or part is None or not part.get("file"):
        return None
    is_episode = video.get("type") == "episode"
    editorial = Editorial(
        title=video.get("title"),
        season=parse_int(video.get("parentIndex")) if is_episode else None,
        episode=parse_int(video.get("index")) if is_episode else None,
        plot=video.get("summary") or None,
        genres=_tags(video, "Genre"),
        content_rating=clean_rating(video.get("contentRating")),
        air_date=parse_day(video.get("originallyAvailableAt")),
        year=parse_int(video.get("year")),
    ).over(context)
    duration = parse_int(media.get("duration")) or parse_int(video.get("duration"))
    bitrate = parse_int(media.get("bitrate"))
    audio_codec = media.get("audioCodec")
    technical = ProbeResult(
        duration_ms=duration,
        container=media.get("container") or part.get("container") or "",
        video_codec=media.get("videoCodec"),
        width=parse_int(media.get("width")),
        height=parse_int(media.get("height")),
        # Plex names the rate ('24p', 'PAL', 'NTSC'), it does not measure it.
        fps=None,
        # Plex reports kbit/s; probe results are in bit/s.
        bitrate=bitrate * 1000 if bitrate else None,
        audio=(AudioStream(audio_codec, parse_int(media.get("audioChannels")) or 0, None),)
        if audio_codec
        else (),
    )
    return PlexEntry(
        rating_key=video.get("ratingKey", ""),
        updated_at=parse_int(video.get("updatedAt")),
        path=part.get("file", ""),
        size=parse_int(part.get("size")) or 0,
        duration_ms=duration,
        editorial=editorial,
        technical=technical,
    )
