"""HLS from the channel's own MPEG-TS: segments cut on the channel's boundaries, in memory.

Channel time is wall time (channel_time.py) and the producers key on every segment boundary,
so segment k starts on the first keyframe at or after tick k * length and its media sequence
number is k: the same cut and the same number on every station airing the channel.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

from retrovue.runtime import channel_time
from retrovue.runtime.muxer import Chunk
from retrovue.runtime.profile import TICKS_PER_SECOND

SEGMENT_TICKS = TICKS_PER_SECOND  # the output profile's GOP
WINDOW = 6


@dataclass(frozen=True, slots=True)
class Segment:
    sequence: int
    start_tick: int
    duration_s: float
    data: bytes


class HlsSegmenter:
    """Cuts the stream into a sliding window of segments, one per boundary.

    A keyframe opens a segment when it is the first in its boundary's span: the boundary's
    own keyframe normally, the first after it when one was lost (a producer replaced
    mid-span). The stream's first keyframe opens one only when it sits on a boundary: a
    segment begun anywhere else would not be the one other stations number alike.
    """

    def __init__(self, window: int = WINDOW, segment_ticks: int = SEGMENT_TICKS) -> None:
        self._segments: collections.deque[Segment] = collections.deque(maxlen=window)
        self._length = segment_ticks
        self._parts: list[bytes] = []
        self._start_pts: int | None = None
        self._last_key: int | None = None

    @property
    def segments(self) -> list[Segment]:
        return list(self._segments)

    def segment(self, sequence: int) -> Segment | None:
        for segment in self._segments:
            if segment.sequence == sequence:
                return segment
        return None

    def feed(self, chunks: list[Chunk]) -> None:
        for chunk in chunks:
            pts = chunk.keyframe_pts
            if pts is not None:
                if self._opens_segment(pts):
                    if self._start_pts is not None:
                        self._cut(pts)
                    self._start_pts = pts
                    self._parts = []
                self._last_key = pts
            if self._start_pts is not None:
                self._parts.append(chunk.data)

    def _opens_segment(self, pts: int) -> bool:
        if self._last_key is None:
            return pts % self._length == 0
        return pts // self._length > self._last_key // self._length

    def _cut(self, pts: int) -> None:
        assert self._start_pts is not None
        duration = (pts - self._start_pts) / TICKS_PER_SECOND
        sequence = self._start_pts // self._length
        data = b"".join(self._parts)
        self._segments.append(Segment(sequence, self._start_pts, duration, data))

    def playlist(self, segment_url: str) -> str:
        """The live playlist; `segment_url` has a `{sequence}` placeholder."""
        segments = self.segments
        first = segments[0].sequence if segments else 0
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            "#EXT-X-TARGETDURATION:2",
            f"#EXT-X-MEDIA-SEQUENCE:{first}",
        ]
        previous: Segment | None = None
        for segment in segments:
            if previous is None or previous.sequence + 1 != segment.sequence:
                start = channel_time.wall_at(segment.start_tick)
                stamp = start.isoformat(timespec="milliseconds").replace("+00:00", "Z")
                lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{stamp}")
            lines.append(f"#EXTINF:{segment.duration_s:.3f},")
            lines.append(segment_url.format(sequence=segment.sequence))
            previous = segment
        return "\n".join(lines) + "\n"

    def reset(self) -> None:
        self._segments.clear()
        self._parts = []
        self._start_pts = None
        self._last_key = None
