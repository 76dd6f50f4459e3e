"""What the schedule says airs: the read model runtime and the station's API consume."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Presentation:
    """How a channel presents its items; every choice is off by default.

    `audio_language` is a preference list of ISO 639-2/B codes ('und': a stream with no
    language); `second_audio` the language carried as a second audio track; `subtitles`
    'off', 'forced' or a language to burn in; the bug (a PNG) is drawn on programmes only;
    `next_caption_s` is how long before a programme's end "Next: TITLE" shows.
    """

    audio_language: tuple[str, ...] = ()
    second_audio: str | None = None
    subtitles: str = "off"
    bug_path: str | None = None
    bug_position: str = "bottom-right"
    bug_opacity: float = 1.0
    next_caption_s: int | None = None


@dataclass(frozen=True, slots=True)
class ScheduledItem:
    """One playlog event with what playout needs to air it.

    `asset_id`, `file_path` and `title` are None for slate and black pad. `canonical`,
    `available` and `fingerprint` (of the file as approved) are the catalog's as read, so
    runtime can gate again before airing.
    """

    event_id: int
    channel_number: int
    broadcast_day: dt.date
    start_utc: dt.datetime
    end_utc: dt.datetime
    kind: str
    in_point_ms: int
    program_group: int
    asset_id: int | None = None
    file_path: str | None = None
    title: str | None = None
    canonical: bool = False
    available: bool = False
    note: str | None = None
    fingerprint: str | None = None
    # The catalog's probed facts of the file (`catalog_asset.media`), the channel's
    # presentation, and the title of the next programme when this is a programme's last part.
    media: Mapping[str, Any] | None = None
    presentation: Presentation = field(default_factory=Presentation)
    next_title: str | None = None

    @property
    def duration_ms(self) -> int:
        return round((self.end_utc - self.start_utc).total_seconds() * 1000)


@dataclass(frozen=True, slots=True)
class Airing:
    """The item on air at `at` and how far into its file playout must start."""

    item: ScheduledItem
    at: dt.datetime

    @property
    def elapsed_ms(self) -> int:
        """Time since the event started."""
        return round((self.at - self.item.start_utc).total_seconds() * 1000)

    @property
    def offset_ms(self) -> int:
        """Position in the file: at - start + in_point."""
        return self.elapsed_ms + self.item.in_point_ms

    @property
    def remaining_ms(self) -> int:
        return round((self.item.end_utc - self.at).total_seconds() * 1000)


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """A channel as clients and playout see it."""

    number: int
    name: str
    timezone: str
    group: str | None
    logo: str | None
    active: bool
    xmltv_id: str
    kind: str = "linear"  # "linear", or "guide": a channel that shows the TV guide
    presentation: Presentation = field(default_factory=Presentation)
