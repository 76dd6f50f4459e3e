"""Rebasing each producer's timestamps onto one continuous channel timeline.

Item N's video starts on the tick where item N-1's video ended; its audio starts there too,
or just after the previous audio when that ran up to one AAC frame past the video, so audio
never overlaps itself and never drifts more than one AAC frame from its picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from retrovue.runtime.source import MediaPacket


@dataclass(slots=True)
class ItemCursor:
    """Maps one producer's packets into the channel span [start, end) (ticks, 90 kHz).

    `end` is None for an open-ended card. `audio_floor` is where the channel's audio ended.
    """

    start: int
    end: int | None
    audio_floor: int
    frame_ticks: int
    audio_frame_ticks: int
    video_end: int = field(init=False)
    audio_end: int = field(init=False)
    _origin: int | None = field(default=None, init=False)
    _audio_shift: int | None = field(default=None, init=False)
    _held_audio: list[MediaPacket] = field(default_factory=list, init=False)
    _video_src: int | None = field(default=None, init=False)  # producer time of the last of each
    _audio_src: int | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.video_end = self.start
        self.audio_end = self.audio_floor

    @property
    def started(self) -> bool:
        return self._origin is not None

    @property
    def video_complete(self) -> bool:
        """The span's picture is complete (to within a frame)."""
        return self.end is not None and self.video_end >= self.end - self.frame_ticks // 2

    def sound_alone_ticks(self) -> int:
        """How far the producer's sound has run past its last picture (its own clock)."""
        if self._video_src is None or self._audio_src is None:
            return 0
        return max(self._audio_src - self._video_src - self.frame_ticks, 0)

    def shortfall_ticks(self) -> int:
        return 0 if self.end is None else max(self.end - self.video_end, 0)

    def delay(self, ticks: int) -> None:
        """Air the span `ticks` later than planned: what was placed so far (none of it sent)
        and all that follows; its end stays where it was."""
        self.start += ticks
        self.video_end += ticks
        if self._audio_shift is not None:
            self.audio_end += ticks

    def place(self, item: MediaPacket) -> list[tuple[MediaPacket, int]]:
        """The packets to send for `item`, each with its channel timestamp (dts == pts)."""
        if item.kind == "video":
            if self._origin is None:
                if not item.keyframe:
                    return []  # a span must open on a keyframe
                self._origin = item.dts
                placed = self._place_video(item)
                held, self._held_audio = self._held_audio, []
                for audio in held:
                    placed += self._place_audio(audio)
                return placed
            return self._place_video(item)
        if self._origin is None:
            self._held_audio.append(item)
            return []
        return self._place_audio(item)

    def _place_video(self, item: MediaPacket) -> list[tuple[MediaPacket, int]]:
        assert self._origin is not None
        self._video_src = item.dts
        ts = self.start + item.dts - self._origin
        if ts < self.video_end or (self.end is not None and ts >= self.end):
            return []
        self.video_end = ts + self.frame_ticks
        return [(item, ts)]

    def _place_audio(self, item: MediaPacket) -> list[tuple[MediaPacket, int]]:
        assert self._origin is not None
        relative = item.dts - self._origin
        if relative < 0:
            return []  # encoder priming before the first picture
        self._audio_src = item.dts
        if self._audio_shift is None:
            self._audio_shift = max(0, self.audio_floor - (self.start + relative))
        ts = self.start + relative + self._audio_shift
        if ts < self.audio_end or (self.end is not None and ts >= self.end):
            return []
        self.audio_end = ts + self.audio_frame_ticks
        return [(item, ts)]
