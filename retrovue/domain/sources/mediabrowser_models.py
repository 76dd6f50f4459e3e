"""The parts of Jellyfin's and Emby's JSON answers a sync reads, validated on arrival.

Field names follow both servers' published schemas (BaseItemDto, MediaSourceInfo, MediaStream,
ChapterInfo, VirtualFolderInfo and the `Items`/`TotalRecordCount` query result), which are
PascalCase on the wire. Anything else in an answer is ignored; a field of the wrong type makes
the whole answer malformed, so a sync never records half-understood items.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_pascal


class _Dto(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_pascal, populate_by_name=True, extra="ignore", frozen=True
    )


class MediaStreamDto(_Dto):
    type: str | None = None  # Video, Audio, Subtitle, EmbeddedImage, Data
    codec: str | None = None
    width: int | None = None
    height: int | None = None
    real_frame_rate: float | None = None
    average_frame_rate: float | None = None
    bit_rate: int | None = None
    channels: int | None = None
    language: str | None = None


class MediaSourceDto(_Dto):
    """One version of an item (a file); `bitrate` in bit/s, `run_time_ticks` in 100 ns."""

    id: str | None = None
    path: str | None = None
    protocol: str | None = None  # File, Http, ...
    container: str | None = None
    size: int | None = None
    bitrate: int | None = None
    run_time_ticks: int | None = None
    media_streams: list[MediaStreamDto] | None = None


class ChapterDto(_Dto):
    start_position_ticks: int
    name: str | None = None
    # Emby marks intro and credits points among the chapters; Jellyfin sends no such field.
    marker_type: str | None = None


class ItemDto(_Dto):
    id: str
    name: str | None = None
    type: str | None = None  # Movie, Episode, Series, Season, Folder, ...
    etag: str | None = None
    path: str | None = None
    location_type: str | None = None  # FileSystem, or Virtual for a missing episode
    series_name: str | None = None
    series_id: str | None = None
    index_number: int | None = None
    parent_index_number: int | None = None
    overview: str | None = None
    official_rating: str | None = None
    premiere_date: str | None = None
    production_year: int | None = None
    run_time_ticks: int | None = None
    genres: list[str] | None = None
    provider_ids: dict[str, str | None] | None = None
    chapters: list[ChapterDto] | None = None
    media_sources: list[MediaSourceDto] | None = None


class ItemsPage(_Dto):
    items: list[ItemDto]
    total_record_count: int | None = None


class VirtualFolderDto(_Dto):
    """A library as the server's library structure lists it; `item_id` is its folder id."""

    name: str
    collection_type: str | None = None
    item_id: str | None = None
    id: str | None = None
    locations: list[str] | None = None


class VirtualFolderPage(_Dto):
    items: list[VirtualFolderDto]
