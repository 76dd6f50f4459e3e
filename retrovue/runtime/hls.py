"""HLS from the channel's own MPEG-TS: segments cut on keyframes, kept in memory."""

from __future__ import annotations

import collections
from dataclasses import dataclass

from retrovue.runtime.muxer import Chunk
from retrovue.runtime.profile import TICKS_PER_SECOND

MIN_SEGMENT_TICKS = TICKS_PER_SECOND * 9 // 10  # with 1 s GOPs, segments stay under 2 s
WINDOW = 6


@dataclass(frozen=True, slots=True)
class Segment:
    sequence: int
    duration_s: float
    data: bytes


class HlsSegmenter:
    """Cuts the stream at keyframes into a sliding window of segments."""

    def __init__(self, window: int = WINDOW) -> None:
        self._segments: collections.deque[Segment] = collections.deque(maxlen=window)
        self._parts: list[bytes] = []
        self._start_pts: int | None = None
        self._next_sequence = 0

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
                if self._start_pts is None:
                    self._start_pts = pts
                elif pts - self._start_pts >= MIN_SEGMENT_TICKS:
                    self._cut(pts)
            if self._start_pts is not None:
                self._parts.append(chunk.data)

    def _cut(self, pts: int) -> None:
        assert self._start_pts is not None
        duration = (pts - self._start_pts) / TICKS_PER_SECOND
        self._segments.append(Segment(self._next_sequence, duration, b"".join(self._parts)))
        self._next_sequence += 1
        self._parts = []
        self._start_pts = pts

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
        for segment in segments:
            lines.append(f"#EXTINF:{segment.duration_s:.3f},")
            lines.append(segment_url.format(sequence=segment.sequence))
        return "\n".join(lines) + "\n"

    def reset(self) -> None:
        self._segments.clear()
        self._parts = []
        self._start_pts = None
