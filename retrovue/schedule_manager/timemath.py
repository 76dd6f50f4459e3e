"""Broadcast days, grid boundaries and block spans in a channel's IANA zone, in integer ms."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MINUTE_MS = 60_000
DAY_MINUTES = 1440


def to_ms(instant: dt.datetime) -> int:
    """Epoch milliseconds of an aware instant (sub-millisecond parts are dropped)."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime given where an instant is required")
    delta = instant - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_ms(ms: int) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=ms)


def _wall(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)


def _exists(ms: int, wall: dt.datetime, tz: ZoneInfo) -> bool:
    return from_ms(ms).astimezone(tz).replace(tzinfo=None) == wall


@functools.lru_cache(maxsize=4096)
def local_to_ms(day: dt.date, minute: int, tz: ZoneInfo) -> int:
    """The instant the wall clock reads `day` + `minute` minutes.

    An ambiguous wall time (fall back) takes its first occurrence; a nonexistent one (spring
    forward) moves to the next valid instant, the transition itself. Remembered: a planning
    pass asks for the same few day starts and block edges for every channel in a zone.
    """
    wall = _wall(day, minute)
    first = to_ms(wall.replace(tzinfo=tz, fold=0))
    if _exists(first, wall, tz):
        return first
    # In a gap, fold=1 reads the wall time with the offset after the change (an earlier
    # instant) and fold=0 with the offset before; the transition lies between the two.
    lo = to_ms(wall.replace(tzinfo=tz, fold=1)) // 1000
    hi = first // 1000
    before = from_ms(lo * 1000).astimezone(tz).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if from_ms(mid * 1000).astimezone(tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi * 1000


def wall_grid_ms(day: dt.date, tz: ZoneInfo, grid: int, offset: int) -> list[int]:
    """Every instant of local date `day` at which the wall clock reads a grid time.

    The repeated hour of a fall-back day is real time, so both of its readings count.
    """
    minutes = range(offset, DAY_MINUTES, grid)
    midnight = to_ms(_wall(day, 0).replace(tzinfo=tz))
    following = to_ms(_wall(day + dt.timedelta(days=1), 0).replace(tzinfo=tz))
    if following - midnight == DAY_MINUTES * MINUTE_MS and _exists(midnight, _wall(day, 0), tz):
        # No transition on this date: plain arithmetic.
        return [midnight + m * MINUTE_MS for m in minutes]
    found: set[int] = set()
    for m in minutes:
        wall = _wall(day, m)
        for fold in (0, 1):
            ms = to_ms(wall.replace(tzinfo=tz, fold=fold))
            if _exists(ms, wall, tz):
                found.add(ms)
    return sorted(found)


@dataclass(frozen=True)
class ChannelClock:
    """A channel's time math: zone, grid size and offset, broadcast-day rollover."""

    timezone: str
    grid_minutes: int = 30
    offset_minutes: int = 0
    rollover_minutes: int = 360
    tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tz", ZoneInfo(self.timezone))

    def day_start_ms(self, day: dt.date) -> int:
        return local_to_ms(day, self.rollover_minutes, self.tz)

    def day_span_ms(self, day: dt.date) -> tuple[int, int]:
        """[start, end) of broadcast day `day`: rollover to next rollover (23-25 h)."""
        return self.day_start_ms(day), self.day_start_ms(day + dt.timedelta(days=1))

    def day_span(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        start, end = self.day_span_ms(day)
        return from_ms(start), from_ms(end)

    def broadcast_day(self, instant: dt.datetime | int) -> dt.date:
        """The broadcast day an instant belongs to."""
        ms = instant if isinstance(instant, int) else to_ms(instant)
        local = from_ms(ms).astimezone(self.tz).replace(tzinfo=None)
        day = (local - dt.timedelta(minutes=self.rollover_minutes)).date()
        # Near a transition the naive guess can be one day off either way.
        if ms < self.day_start_ms(day):
            return day - dt.timedelta(days=1)
        if ms >= self.day_start_ms(day + dt.timedelta(days=1)):
            return day + dt.timedelta(days=1)
        return day

    def block_span_ms(self, day: dt.date, start_minute: int, end_minute: int) -> tuple[int, int]:
        """A block's [start, end) within broadcast day `day`.

        Times are read as they next occur at or after the rollover; end == start is the day.
        """
        day_start, day_end = self.day_span_ms(day)
        if start_minute == end_minute:
            return day_start, day_end
        rollover = self.rollover_minutes
        start_date = day if start_minute >= rollover else day + dt.timedelta(days=1)
        end_date = start_date if end_minute > start_minute else start_date + dt.timedelta(days=1)
        start = local_to_ms(start_date, start_minute, self.tz)
        end = local_to_ms(end_date, end_minute, self.tz)
        return max(start, day_start), min(end, day_end)

    def grid(self) -> GridIndex:
        return GridIndex(self)


class GridIndex:
    """Sorted grid boundaries of one channel, grown a local date at a time as asked."""

    def __init__(self, clock: ChannelClock) -> None:
        self.clock = clock
        self._points: list[int] = []
        self._dates: set[dt.date] = set()
        self._hours: set[int] = set()  # hours whose dates around them are covered
        # The last local date covered, less an hour at each end (so a transition at midnight
        # cannot put an instant of another date inside): any instant in it is covered too.
        self._safe = (0, 0)

    def _cover(self, ms: int) -> None:
        if self._safe[0] <= ms < self._safe[1]:
            return
        hour = ms // 3_600_000
        if hour in self._hours:
            return
        self._hours.add(hour)
        tz = self.clock.tz
        local = from_ms(ms).astimezone(tz).date()
        for day in (local - dt.timedelta(days=1), local, local + dt.timedelta(days=1)):
            if day not in self._dates:
                self._dates.add(day)
                clock = self.clock
                for point in wall_grid_ms(day, tz, clock.grid_minutes, clock.offset_minutes):
                    self.add(point)
                self.add(clock.day_start_ms(day))
        midnight = to_ms(_wall(local, 0).replace(tzinfo=tz))
        following = to_ms(_wall(local + dt.timedelta(days=1), 0).replace(tzinfo=tz))
        self._safe = (midnight + 3_600_000, following - 3_600_000)

    def add(self, ms: int) -> None:
        """Make `ms` a boundary too (a day start or a block edge moved out of a DST gap)."""
        index = bisect.bisect_left(self._points, ms)
        if index == len(self._points) or self._points[index] != ms:
            self._points.insert(index, ms)

    def ceil(self, ms: int) -> int:
        """The first boundary at or after `ms`."""
        self._cover(ms)
        index = bisect.bisect_left(self._points, ms)
        if index == len(self._points):
            self._cover(ms + DAY_MINUTES * MINUTE_MS)
            index = bisect.bisect_left(self._points, ms)
        return self._points[index]

    def between(self, start: int, end: int) -> list[int]:
        """Boundaries in [start, end]."""
        for ms in range(start, end + DAY_MINUTES * MINUTE_MS, DAY_MINUTES * MINUTE_MS // 2):
            self._cover(min(ms, end))
        lo = bisect.bisect_left(self._points, start)
        hi = bisect.bisect_right(self._points, end)
        return self._points[lo:hi]
