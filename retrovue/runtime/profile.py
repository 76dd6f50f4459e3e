"""The channel output profile every producer encodes to, so nothing changes at a boundary."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

TICKS_PER_SECOND = 90_000  # MPEG-TS timestamps


@dataclass(frozen=True, slots=True)
class OutputProfile:
    """720p30 H.264 with a keyframe every second, AAC-LC stereo 48 kHz."""

    width: int = 1280
    height: int = 720
    fps: int = 30
    gop_frames: int = 30
    sample_rate: int = 48_000
    channels: int = 2
    audio_bitrate: str = "128k"
    video_maxrate: str = "4M"
    preset: str = "ultrafast"

    def __post_init__(self) -> None:
        if self.gop_frames > 2 * self.fps:
            raise ValueError("a keyframe must come at least every 2 seconds")

    @property
    def frame_ticks(self) -> int:
        return TICKS_PER_SECOND // self.fps

    @property
    def audio_frame_ticks(self) -> int:
        """Duration of one AAC frame (1024 samples)."""
        return round(Fraction(1024 * TICKS_PER_SECOND, self.sample_rate))

    def encode_args(self) -> list[str]:
        """Output options: codecs, fixed GOP, no B-frames, MPEG-TS on stdout.

        `-muxdelay 0` puts every AAC frame in a PES of its own. With ffmpeg's default (0.7 s)
        near-silent frames share one, and the station's demuxer, which reads the pipe before
        it knows the stream, stamps only the first frame of each: the rest were dropped, and
        what remained of a slate's sound (one frame in thirteen) reached viewers late. (Their
        timestamps start at 0 rather than ffmpeg's 1.4 s; playout reads them from the first.)
        """
        g = str(self.gop_frames)
        return [
            "-c:v", "libx264", "-preset", self.preset, "-tune", "zerolatency",
            "-profile:v", "high", "-bf", "0", "-g", g, "-keyint_min", g,
            "-sc_threshold", "0", "-maxrate", self.video_maxrate, "-bufsize", self.video_maxrate,
            "-c:a", "aac", "-b:a", self.audio_bitrate,
            "-ar", str(self.sample_rate), "-ac", str(self.channels),
            "-flush_packets", "1", "-pes_payload_size", "0", "-muxdelay", "0",
            "-f", "mpegts", "pipe:1",
        ]  # fmt: skip
