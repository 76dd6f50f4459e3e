"""Rebasing each producer's timestamps onto one continuous channel timeline.

Item N's video starts on the tick where item N-1's video ended; its audio starts there too,
or just after the previous audio when that ran up to one AAC frame past the video, so audio
never overlaps itself and never drifts more than one AAC frame from its picture.

A channel that carries a second language has two audio tracks, both placed the same way (one
shift per item, taken from the later of the two tracks' ends). A producer with one audio
track (a file without that language, a card, the guide) has it carried on both: the same
packet, at the same timestamp, so the second track never goes missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from retrovue.runtime.source import MediaPacket


@dataclass(slots=True)
class ItemCursor:
    """Maps one producer's packets into the channel span [start, end) (ticks, 90 kHz).

    `end` is None for an open-ended card. `audio_floor` is where the channel's audio ended
    (every track); `audio_tracks` how many audio tracks the channel carries.
    """

    start: int
    end: int | None
    audio_floor: int
    frame_ticks: int
    audio_frame_ticks: int
    audio_tracks: int = 1
    video_end: int = field(init=False)
    _track_ends: list[int] = field(init=False)
    _second_seen: bool = field(default=False, init=False)
    _origin: int | None = field(default=None, init=False)
    _audio_shift: int | None = field(default=None, init=False)
    _held_audio: list[MediaPacket] = field(default_factory=list, init=False)
    _video_src: int | None = field(default=None, init=False)  # producer time of the last of each
    _audio_src: int | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.video_end = self.start
        self._track_ends = [self.audio_floor] * self.audio_tracks

    @property
    def audio_end(self) -> int:
        """Where the channel's audio ends so far: the later of its tracks' ends."""
        return max(self._track_ends)

    @property
    def audio_complete(self) -> bool:
        """Every audio track the producer sends has reached the span's end."""
        if self.end is None:
            return False
        sent = self._track_ends if self._second_seen else self._track_ends[:1]
        return all(end >= self.end for end in sent)

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
            self._track_ends = [end + ticks for end in self._track_ends]

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
        if item.track >= self.audio_tracks:
            return []  # a language this channel does not carry
        relative = item.dts - self._origin
        if relative < 0:
            return []  # encoder priming before the first picture
        if item.track == 0:
            self._audio_src = item.dts
        else:
            self._second_seen = True
        if self._audio_shift is None:
            self._audio_shift = max(0, self.audio_floor - (self.start + relative))
        ts = self.start + relative + self._audio_shift
        if self.end is not None and ts >= self.end:
            return []
        placed = self._on_track(item, item.track, ts)
        if item.track == 0 and item.tracks < self.audio_tracks and not self._second_seen:
            placed += self._on_track(replace(item, track=1), 1, ts)
        return placed

    def _on_track(self, item: MediaPacket, track: int, ts: int) -> list[tuple[MediaPacket, int]]:
        if ts < self._track_ends[track]:
            return []
        self._track_ends[track] = ts + self.audio_frame_ticks
        return [(item, ts)]
