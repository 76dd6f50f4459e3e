"""A Plex item as library records: its best version, one record per part, markers per part."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from retrovue.domain.editorial import Editorial, clean_rating, parse_day, parse_int
from retrovue.domain.markers import MarkerSpec, break_candidates
from retrovue.domain.probe import AudioStream, ProbeResult
from retrovue.domain.sources.media_server import ServerItem
from retrovue.domain.sources.versions import best_version


@dataclass(frozen=True)
class Listed:
    """One part of an item's chosen version, as the library listing shows it.

    A multi-part item (an episode stacked over two files) plays its parts in turn; `offset_ms`
    is where this part begins on the item's timeline, which Plex's chapters follow.
    """

    key: str
    rating_key: str
    version: str
    video: ET.Element
    media: ET.Element
    part: ET.Element
    number: int
    count: int
    offset_ms: int

    @property
    def show_key(self) -> str | None:
        return self.video.get("grandparentRatingKey") if self.is_episode else None

    @property
    def is_episode(self) -> bool:
        return self.video.get("type") == "episode"

    @property
    def duration_ms(self) -> int | None:
        own = parse_int(self.part.get("duration"))
        if own is None and self.count == 1:
            return parse_int(self.media.get("duration")) or parse_int(self.video.get("duration"))
        return own


@dataclass(frozen=True)
class Detail:
    """What only an item's own metadata says, on the item's whole timeline."""

    markers: tuple[MarkerSpec, ...]
    genres: tuple[str, ...]
    external_ids: tuple[tuple[str, str], ...]


def listed_parts(video: ET.Element) -> list[Listed]:
    """The parts of the version the channel should air (see `best_version`)."""
    medias = [m for m in video.findall("Media") if any(p.get("file") for p in m.iter("Part"))]
    if not medias:
        return []
    media = best_version(medias, lambda m: technical(m, None))
    parts = [p for p in media.findall("Part") if p.get("file")]
    rating_key = video.get("ratingKey", "")
    found, offset = [], 0
    for number, part in enumerate(parts, 1):
        key = rating_key if len(parts) == 1 else f"{rating_key}:{number}"
        listed = Listed(
            key, rating_key, video.get("updatedAt") or "", video, media, part, number,
            len(parts), offset,
        )  # fmt: skip
        found.append(listed)
        offset += listed.duration_ms or 0
    return found


def technical(media: ET.Element, duration_ms: int | None) -> ProbeResult:
    bitrate = parse_int(media.get("bitrate"))
    audio_codec = media.get("audioCodec")
    return ProbeResult(
        duration_ms=duration_ms if duration_ms is not None else parse_int(media.get("duration")),
        container=media.get("container") or "",
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


def detail(video: ET.Element) -> Detail:
    markers = [
        MarkerSpec(
            "chapter",
            parse_int(c.get("startTimeOffset")) or 0,
            parse_int(c.get("endTimeOffset")),
            c.get("tag"),
        )
        for c in video.iter("Chapter")
    ]
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
    guids = (g.get("id", "") for g in video.findall("Guid"))
    return Detail(
        tuple(markers),
        _tags(video, "Genre"),
        tuple((g.split("://", 1)[0][:50], g.split("://", 1)[1][:200]) for g in guids if "://" in g),
    )


def item(part: Listed, found: Detail, show: Editorial) -> ServerItem:
    """One part as a library record; a part of several says which in its title."""
    video = part.video
    episode = part.is_episode
    title = video.get("title")
    if part.count > 1:
        title = f"{title or 'Part'} (part {part.number} of {part.count})"
    editorial = Editorial(
        title=title,
        series=video.get("grandparentTitle") if episode else None,
        season=parse_int(video.get("parentIndex")) if episode else None,
        episode=parse_int(video.get("index")) if episode else None,
        plot=video.get("summary") or None,
        genres=found.genres or _tags(video, "Genre"),
        content_rating=clean_rating(video.get("contentRating")),
        air_date=parse_day(video.get("originallyAvailableAt")),
        year=parse_int(video.get("year")),
    ).over(show if episode else Editorial())
    duration = part.duration_ms
    return ServerItem(
        key=part.key,
        version=part.version,
        path=part.part.get("file", ""),
        size=parse_int(part.part.get("size")) or 0,
        editorial=editorial,
        technical=technical(part.media, duration),
        markers=tuple(_within(found.markers, part.offset_ms, duration)),
        external_ids=found.external_ids,
    )


def _within(markers: tuple[MarkerSpec, ...], offset: int, duration: int | None) -> list[MarkerSpec]:
    """The markers that fall in one part, on the part's own clock, with the break candidates
    its chapter boundaries imply."""
    end = offset + duration if duration is not None else None
    inside = []
    for m in markers:
        if m.start_ms < offset or (end is not None and m.start_ms >= end):
            continue
        stop = m.end_ms if m.end_ms is None or end is None else min(m.end_ms, end)
        inside.append(
            MarkerSpec(
                m.kind, m.start_ms - offset, None if stop is None else stop - offset, m.title
            )
        )
    chapters = (m.start_ms for m in inside if m.kind == "chapter")
    return inside + break_candidates(chapters, duration)


def _tags(element: ET.Element, tag: str) -> tuple[str, ...]:
    return tuple(t.get("tag", "") for t in element.findall(tag) if t.get("tag"))
