"""The station's one guide: a board kept current from the schedule, and its producers' args.

Every guide producer (a guide channel, or every channel in guide mode) reads the same board,
so the grid is drawn once for the station whatever number of channels show it. The board is
fed only while some producer needs it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path
from typing import Protocol

from retrovue.errors import RetroVueError
from retrovue.ffmpeg import Ffmpeg
from retrovue.runtime.guide.board import GuideBoard
from retrovue.runtime.guide.feeder import GuideFeeder
from retrovue.runtime.guide.layout import GuideLayout, build_layout, window
from retrovue.runtime.guide.music import music_bed
from retrovue.runtime.guide.producer import guide_args, guide_board
from retrovue.runtime.master_clock import MasterClock
from retrovue.runtime.profile import OutputProfile
from retrovue.schedule_manager.airing import ChannelInfo, ScheduledItem

log = logging.getLogger(__name__)

MUSIC_TAG = "guide-music"
IDLE_S = 60.0  # the board stops being fed this long after the last guide producer was made
MUSIC_CHECK_S = 60.0  # how often the feeder looks for a changed set of guide-music assets


class GuideSchedule(Protocol):
    """What the guide reads of the schedule manager."""

    def list_channels(self, active_only: bool = True) -> list[ChannelInfo]: ...

    def guide_between(
        self, channel_number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]: ...

    def guide_token(self) -> tuple[int, int]: ...

    def airable_files(self, tag: str) -> list[str]: ...


class StationGuide:
    """The guide every guide producer shows; `args(seconds)` starts feeding it on first use."""

    def __init__(
        self,
        schedule: GuideSchedule,
        clock: MasterClock,
        ffmpeg: Ffmpeg,
        profile: OutputProfile,
        folder: Path,
        font: Path | None,
        station_name: str = "RetroVue",
    ) -> None:
        self._schedule = schedule
        self._clock = clock
        self._ffmpeg = ffmpeg
        self._profile = profile
        self._folder = folder
        self._station = station_name
        self.board: GuideBoard = guide_board(profile, folder / "still.bmp", font)
        self._feeder: GuideFeeder | None = None
        self._lock = threading.Lock()
        self._last_use = 0.0
        self._items: tuple[object, dict[int, list[ScheduledItem]]] | None = None
        self._bed: tuple[tuple[str, ...], Path | None] | None = None
        self._music_checked = float("-inf")

    def args(self, seconds: float) -> list[str]:
        """A guide producer's ffmpeg arguments for `seconds` (the board is current first)."""
        with self._lock:
            self._last_use = self._clock.monotonic()
            if self._feeder is None:
                self._feeder = GuideFeeder(self.board, self._clock, self._content)
                self._feeder.start()
            bed = None if self._bed is None else self._bed[1]
        return guide_args(self._profile, self.board.path, seconds, bed)

    def idle_check(self) -> None:
        """Stop feeding the board when no guide producer was made for a while."""
        with self._lock:
            idle = self._clock.monotonic() - self._last_use > IDLE_S
            feeder, self._feeder = (self._feeder, None) if idle else (None, self._feeder)
        if feeder is not None:
            feeder.stop()

    def close(self) -> None:
        with self._lock:
            feeder, self._feeder = self._feeder, None
        if feeder is not None:
            feeder.stop()

    def _content(self, at: dt.datetime) -> GuideLayout:
        """The layout at `at` (on the feeder's thread, which may wait on the database)."""
        if self._clock.monotonic() - self._music_checked >= MUSIC_CHECK_S:
            self._music_checked = self._clock.monotonic()
            self._refresh_music()
        listed = self._schedule.list_channels()
        channels = [c for c in listed if c.kind != "guide"]
        zone = _zone(listed)
        start, end = window(at, zone)
        key = (self._schedule.guide_token(), start, tuple(c.number for c in channels))
        if self._items is None or self._items[0] != key:
            items = {c.number: self._schedule.guide_between(c.number, start, end) for c in channels}
            self._items = (key, items)
        return build_layout(self._station, zone, at, channels, self._items[1])

    def _refresh_music(self) -> None:
        """The bed of the canonical `guide-music` assets, joined once per set of files; a
        producer made after it changed loops the new one."""
        try:
            tracks = tuple(sorted(self._schedule.airable_files(MUSIC_TAG)))
        except RetroVueError as error:
            log.warning("guide music unknown, the last bed stays: %s", error)
            return
        if self._bed is None or self._bed[0] != tracks:
            self._bed = (tracks, music_bed(self._ffmpeg, tracks, self._folder, self._profile))


def _zone(channels: list[ChannelInfo]) -> str:
    """The guide channel's zone (the lowest-numbered one), else the first channel's."""
    ordered = sorted(channels, key=lambda c: (c.kind != "guide", c.number))
    return ordered[0].timezone if ordered else "UTC"
