"""A Jellyfin or Emby item record as the library keeps it: editorial, technical, markers."""

from __future__ import annotations

import dataclasses
from typing import Final

from retrovue.domain.editorial import Editorial, clean_rating, parse_day
from retrovue.domain.markers import MarkerSpec, break_candidates
from retrovue.domain.probe import AudioStream, ProbeResult
from retrovue.domain.sources.media_server import ServerItem, ticks_to_ms
from retrovue.domain.sources.mediabrowser_models import ChapterDto, ItemDto, MediaSourceDto
from retrovue.domain.sources.versions import best_version

# Emby's chapter marker types that are not plain chapters.
INTRO_START: Final = "IntroStart"
INTRO_END: Final = "IntroEnd"
CREDITS_START: Final = "CreditsStart"


def playable(item: ItemDto) -> bool:
    """A movie or episode with a file behind it (a 'Virtual' episode is only announced)."""
    return item.type in ("Movie", "Episode") and item.location_type != "Virtual"


def series_context(series: ItemDto) -> Editorial:
    """What a show says for all its episodes: its name, genres and rating."""
    return Editorial(
        series=series.name,
        genres=tuple(series.genres or ()),
        content_rating=clean_rating(series.official_rating),
    )


def describe(item: ItemDto, context: Editorial) -> ServerItem | None:
    """The item as a library record; None when the server names no file for it."""
    sources = [s for s in item.media_sources or () if (s.protocol or "File") == "File"]
    source = best_version(sources, technical) if sources else None
    path = (source.path if source else None) or item.path
    if not path or not playable(item):
        return None
    tech = technical(source) if source else _bare(item)
    if tech.duration_ms is None and item.run_time_ticks:
        tech = dataclasses.replace(tech, duration_ms=ticks_to_ms(item.run_time_ticks))
    is_episode = item.type == "Episode"
    editorial = Editorial(
        title=item.name,
        series=item.series_name if is_episode else None,
        season=item.parent_index_number if is_episode else None,
        episode=item.index_number if is_episode else None,
        plot=item.overview or None,
        genres=tuple(item.genres or ()),
        content_rating=clean_rating(item.official_rating),
        air_date=parse_day(item.premiere_date),
        year=item.production_year,
    ).over(context if is_episode else Editorial())
    return ServerItem(
        key=item.id,
        version=item.etag or "",
        path=path,
        size=(source.size if source else None) or 0,
        editorial=editorial,
        technical=tech,
        markers=tuple(markers(item.chapters or (), tech.duration_ms)),
        external_ids=tuple(
            (name.lower()[:50], value[:200])
            for name, value in sorted((item.provider_ids or {}).items())
            if value
        ),
    )


def technical(source: MediaSourceDto) -> ProbeResult:
    """What the server measured of one version of the file."""
    streams = source.media_streams or ()
    video = next((s for s in streams if s.type == "Video"), None)
    rate = (video.real_frame_rate or video.average_frame_rate) if video else None
    return ProbeResult(
        duration_ms=ticks_to_ms(source.run_time_ticks),
        # A container list such as 'mkv,webm' names the demuxer's aliases; the first is it.
        container=(source.container or "").split(",")[0],
        video_codec=video.codec if video else None,
        width=video.width if video else None,
        height=video.height if video else None,
        fps=round(rate, 3) if rate else None,
        bitrate=source.bitrate,
        audio=tuple(
            AudioStream(s.codec or "", s.channels or 0, s.language)
            for s in streams
            if s.type == "Audio"
        ),
    )


def _bare(item: ItemDto) -> ProbeResult:
    return ProbeResult(ticks_to_ms(item.run_time_ticks), "", None, None, None, None, None)


def markers(
    chapters: tuple[ChapterDto, ...] | list[ChapterDto], duration_ms: int | None
) -> list[MarkerSpec]:
    """Chapters (each ending where the next begins), Emby's intro and credits points, and the
    break candidates the chapter boundaries imply."""
    plain = sorted(
        (c for c in chapters if c.marker_type in (None, "Chapter")),
        key=lambda c: c.start_position_ticks,
    )
    found: list[MarkerSpec] = []
    for n, chapter in enumerate(plain):
        start = ticks_to_ms(chapter.start_position_ticks) or 0
        nxt = plain[n + 1] if n + 1 < len(plain) else None
        end = ticks_to_ms(nxt.start_position_ticks) if nxt else duration_ms
        found.append(MarkerSpec("chapter", start, end, chapter.name))
    found += break_candidates((m.start_ms for m in found), duration_ms)
    points = {c.marker_type: ticks_to_ms(c.start_position_ticks) or 0 for c in chapters}
    if INTRO_START in points:
        found.append(MarkerSpec("intro", points[INTRO_START], points.get(INTRO_END)))
    if CREDITS_START in points:
        found.append(MarkerSpec("credits", points[CREDITS_START], duration_ms))
    return found
