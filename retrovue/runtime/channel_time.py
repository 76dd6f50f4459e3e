"""Channel time: 90 kHz ticks since the Unix epoch on the frame grid, the same on every station.

A channel's timestamps, its keyframes and its HLS segments all follow from the wall clock
and the schedule alone, never from when its playout started: two stations airing a channel
from one database stamp the same moment with the same PTS, cut the same segments and number
them alike, so a player may move from one to the other.
"""

from __future__ import annotations

import datetime as dt

from retrovue.runtime.profile import TICKS_PER_SECOND, OutputProfile

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
PTS_WRAP = 1 << 33  # MPEG-TS timestamps carry 33 bits; the muxer writes ticks modulo this
_MICROSECOND = dt.timedelta(microseconds=1)


def tick_at(wall: dt.datetime, profile: OutputProfile) -> int:
    """The channel tick of the frame nearest to `wall`."""
    micros = (wall - EPOCH) // _MICROSECOND
    frames = (micros * profile.fps + 500_000) // 1_000_000
    return frames * profile.frame_ticks


def wall_at(tick: int) -> dt.datetime:
    """The instant `tick` stands for (to the microsecond)."""
    return EPOCH + dt.timedelta(microseconds=(tick * 1_000_000 + TICKS_PER_SECOND // 2) // 90_000)


def segment_ticks(profile: OutputProfile) -> int:
    """An HLS segment's length: one GOP; segment k covers ticks [k * length, (k + 1) * length)."""
    return profile.gop_frames * profile.frame_ticks


def segment_floor(tick: int, profile: OutputProfile) -> int:
    """The segment boundary at or before `tick`."""
    length = segment_ticks(profile)
    return tick // length * length


def keyframes_on_boundaries(args: list[str], start: int, profile: OutputProfile) -> list[str]:
    """A producer's `args` with a keyframe forced at every segment boundary after `start`.

    The producer's first frame airs at tick `start` and is a keyframe anyway; its encoder
    keeps a GOP's length from the last keyframe, so without this an item starting between
    boundaries would key every second from its own start, not on the channel's boundaries.
    The option goes just before the output (an output option, however the arguments end).
    """
    length = segment_ticks(profile)
    first = (-start) % length / TICKS_PER_SECOND  # seconds into the producer's output
    period = length / TICKS_PER_SECOND
    half_frame = profile.frame_ticks / TICKS_PER_SECOND / 2
    expr = f"expr:gte(t,{first - half_frame:.6f}+n_forced*{period:.6f})"
    return [*args[:-1], "-force_key_frames", expr, args[-1]]
