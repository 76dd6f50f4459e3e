"""In-process media probing with PyAV: no process spawned per file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any, Final

import av

from retrovue.errors import MediaError

AV_TIME_BASE: Final = 1_000_000
# How far short of the declared duration the media data may end before we call it truncated:
# container and stream end times differ by a frame or an audio packet in healthy files.
TRUNCATION_SLACK_S: Final = 0.5
TRUNCATION_SLACK_RATIO: Final = 0.02


@dataclass(frozen=True)
class AudioStream:
    codec: str
    channels: int
    language: str | None


@dataclass(frozen=True)
class Chapter:
    start_ms: int
    end_ms: int | None
    title: str | None


@dataclass(frozen=True)
class ProbeResult:
    """What a file holds; `duration_ms` is None when the container does not know."""

    duration_ms: int | None
    container: str
    video_codec: str | None
    width: int | None
    height: int | None
    fps: float | None
    bitrate: int | None
    audio: tuple[AudioStream, ...] = ()
    chapters: tuple[Chapter, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def probe(path: str) -> ProbeResult:
    """Read a file's technical metadata; raises MediaError when it cannot be read whole."""
    try:
        with av.open(path, metadata_errors="ignore") as container:
            result = _describe(container)
            _check_complete(container, result, path)
            return result
    except MediaError:
        raise
    except (av.FFmpegError, OSError, ValueError) as error:
        raise MediaError(f"cannot read {path}: {_reason(error)}") from None


def _reason(error: Exception) -> str:
    if isinstance(error, av.FFmpegError) and error.strerror:
        return str(error.strerror)
    return str(error)


def _describe(container: Any) -> ProbeResult:
    duration_ms = None
    if container.duration is not None and container.duration > 0:
        duration_ms = round(container.duration * 1000 / AV_TIME_BASE)
    video = container.streams.video[0] if container.streams.video else None
    audio = tuple(
        AudioStream(
            codec=stream.codec_context.name,
            channels=stream.codec_context.layout.nb_channels,
            language=_language(stream),
        )
        for stream in container.streams.audio
    )
    rate: Fraction | None = video.average_rate if video is not None else None
    return ProbeResult(
        duration_ms=duration_ms,
        container=container.format.name,
        video_codec=video.codec_context.name if video is not None else None,
        width=video.codec_context.width if video is not None else None,
        height=video.codec_context.height if video is not None else None,
        fps=round(float(rate), 3) if rate else None,
        bitrate=container.bit_rate or None,
        audio=audio,
        chapters=tuple(_chapters(container)),
    )


def _language(stream: Any) -> str | None:
    language = stream.language or stream.metadata.get("language")
    return None if language in (None, "", "und") else str(language)


def _chapters(container: Any) -> list[Chapter]:
    chapters = []
    for raw in container.chapters():
        base = raw["time_base"]
        start = round(raw["start"] * base * 1000)
        end = round(raw["end"] * base * 1000) if raw["end"] is not None else None
        chapters.append(Chapter(start, end, raw["metadata"].get("title")))
    return sorted(chapters, key=lambda c: c.start_ms)


def _check_complete(container: Any, result: ProbeResult, path: str) -> None:
    """A file cut short keeps its header's duration; read its last second to find out.

    Opening the header alone cannot tell, so we seek near the declared end and demux what is
    there: in a truncated file the packets stop well before the duration says they should.
    """
    if result.duration_ms is None or not container.streams:
        return
    declared = result.duration_ms / 1000
    container.seek(max(0, int((declared - 1.0) * AV_TIME_BASE)), backward=True)
    last = 0.0
    for packet in container.demux():
        if packet.pts is not None and packet.time_base is not None:
            span = packet.duration or 0
            last = max(last, float((packet.pts + span) * packet.time_base))
    if last < declared - TRUNCATION_SLACK_S - declared * TRUNCATION_SLACK_RATIO:
        raise MediaError(
            f"cannot read {path}: truncated (media data ends at {last:.2f} s of {declared:.2f} s)"
        )
