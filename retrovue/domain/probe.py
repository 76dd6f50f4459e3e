"""In-process media probing with PyAV (no process per file), plus the one loudness pass."""

from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from fractions import Fraction
from typing import Any, Final

import av

from retrovue.domain import measure
from retrovue.domain.languages import UNDETERMINED, normalise
from retrovue.domain.subtitle_files import SubtitleStream, sidecars
from retrovue.errors import FfmpegError, MediaError
from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg

log = logging.getLogger(__name__)

AV_TIME_BASE: Final = 1_000_000
# How far short of the declared duration the media data may end before we call it truncated:
# container and stream end times differ by a frame or an audio packet in healthy files.
TRUNCATION_SLACK_S: Final = 0.5
TRUNCATION_SLACK_RATIO: Final = 0.02
# AVFieldOrder as PyAV reports it; 0 is "the stream does not say".
FIELD_ORDERS: Final = {1: "progressive", 2: "tt", 3: "bb", 4: "tb", 5: "bt"}
BITMAP_SUBTITLE: Final = 1 << 16  # AV_CODEC_PROP_BITMAP_SUB
FORCED: Final = 0x40  # AV_DISPOSITION_FORCED
DEFAULT: Final = 0x1
PGS_COMPOSITION: Final = 0x16  # a Blu-ray subtitle's presentation composition segment
# Frame intervals read to tell variable from constant frame rate, and the spread allowed.
VFR_SAMPLE_FRAMES: Final = 48
VFR_TOLERANCE: Final = 0.25
VFR_ODD_SHARE: Final = 0.1
REORDER_SLACK: Final = 8


@dataclass(frozen=True)
class AudioStream:
    """One audio stream; `index` counts audio streams only (ffmpeg's `a:N`).

    `loudness_lufs` and `true_peak_dbtp` are of the stream as it airs (its stereo downmix),
    None when not measured.
    """

    codec: str
    channels: int
    language: str | None
    index: int = 0
    layout: str | None = None
    default: bool = False
    loudness_lufs: float | None = None
    true_peak_dbtp: float | None = None


@dataclass(frozen=True)
class VideoFacts:
    """What airing the picture right needs: scan, shape and timing.

    `field_order` is progressive, tt, bb (or tb/bt, woven) or unknown; `interlace_from` says
    whether the stream said so or an `idet` pass found it. `sar` and `dar` are [num, den].
    """

    field_order: str
    interlace_from: str
    sar: tuple[int, int] | None
    dar: tuple[int, int] | None
    rate: tuple[int, int] | None
    vfr: bool
    pix_fmt: str | None
    profile: str | None

    @property
    def interlaced(self) -> bool:
        return self.field_order in ("tt", "bb", "tb", "bt")


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
    video: VideoFacts | None = None
    subtitles: tuple[SubtitleStream, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def probe(path: str, ffmpeg: Ffmpeg | None = None, *, measure: bool = True) -> ProbeResult:
    """Read a file's technical metadata; raises MediaError when it cannot be read whole.

    With `measure`, each audio stream's loudness is measured (through `ffmpeg`, else the one
    `resolve_ffmpeg` finds) and a video stream that does not say whether it is interlaced
    gets a short `idet` pass; a failed measurement leaves the facts unknown, never the probe.
    """
    try:
        with av.open(path, metadata_errors="ignore") as container:
            result = _describe(container)
            result = replace(result, subtitles=(*result.subtitles, *sidecars(path)))
            _check_complete(container, result, path)
    except MediaError:
        raise
    except (av.FFmpegError, OSError, ValueError) as error:
        raise MediaError(f"cannot read {path}: {_reason(error)}") from None
    if not measure:
        return result
    runner = ffmpeg or _default_ffmpeg()
    return result if runner is None else _measured(result, path, runner)


@functools.cache
def _default_ffmpeg() -> Ffmpeg | None:
    try:
        return Ffmpeg(resolve_ffmpeg())
    except FfmpegError as error:
        log.warning("loudness and interlacing go unmeasured: %s", error)
        return None


def _measured(result: ProbeResult, path: str, ffmpeg: Ffmpeg) -> ProbeResult:
    seconds = (result.duration_ms or 0) / 1000
    try:
        if result.video is not None and result.video.field_order == "unknown":
            order = measure.field_order(ffmpeg, path, seconds)
            video = replace(result.video, field_order=order, interlace_from="idet")
            result = replace(result, video=video)
        if result.audio:
            levels = measure.loudness(ffmpeg, path, len(result.audio), seconds)
            audio = tuple(
                replace(a, loudness_lufs=level.integrated_lufs, true_peak_dbtp=level.true_peak)
                if level is not None
                else a
                for a, level in zip(result.audio, levels, strict=True)
            )
            result = replace(result, audio=audio)
    except FfmpegError as error:
        log.warning("%s: measurement incomplete: %s", path, error)
    return result


def _reason(error: Exception) -> str:
    if isinstance(error, av.FFmpegError) and error.strerror:
        return str(error.strerror)
    return str(error)


def _ratio(value: Fraction | None) -> tuple[int, int] | None:
    if not value or value <= 0:
        return None
    return (value.numerator, value.denominator)


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
            index=ordinal,
            layout=stream.codec_context.layout.name,
            default=bool(int(stream.disposition) & DEFAULT),
        )
        for ordinal, stream in enumerate(container.streams.audio)
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
        video=_video_facts(container, video) if video is not None else None,
        subtitles=tuple(_subtitles(container)),
    )


def _video_facts(container: Any, stream: Any) -> VideoFacts:
    context = stream.codec_context
    order = FIELD_ORDERS.get(int(getattr(context, "field_order", 0) or 0), "unknown")
    return VideoFacts(
        field_order=order,
        interlace_from="stream",
        sar=_ratio(stream.sample_aspect_ratio or context.sample_aspect_ratio),
        dar=_ratio(stream.display_aspect_ratio),
        rate=_ratio(stream.average_rate),
        vfr=_variable_rate(container, stream),
        pix_fmt=context.pix_fmt,
        profile=stream.profile,
    )


def _variable_rate(container: Any, stream: Any) -> bool:
    """Whether the first frames' intervals vary (phone video), read from packet times alone.

    Packets come in decoding order: the last few read may leave holes that later packets
    (B-frames) would fill, so they are not counted.
    """
    times: list[int] = []
    for packet in container.demux(stream):
        if packet.pts is not None:
            times.append(packet.pts)
        if len(times) >= VFR_SAMPLE_FRAMES:
            break
    times = sorted(times)[:-REORDER_SLACK]
    steps = sorted(b - a for a, b in itertools.pairwise(times) if b > a)
    if len(steps) < 4:
        return False
    typical = steps[len(steps) // 2]
    odd = sum(1 for step in steps if abs(step - typical) > max(typical * VFR_TOLERANCE, 1))
    return odd > len(steps) * VFR_ODD_SHARE


def _subtitles(container: Any) -> Iterator[SubtitleStream]:
    streams = list(container.streams.subtitles)
    canvases = _canvases(container, streams)
    for ordinal, stream in enumerate(streams):
        name = stream.codec_context.name
        flags = int(stream.disposition)
        yield SubtitleStream(
            codec=name,
            image=_is_image(name),
            language=normalise(_language(stream)),
            forced=bool(flags & FORCED),
            default=bool(flags & DEFAULT),
            index=ordinal,
            canvas=canvases.get(ordinal),
        )


def _is_image(decoder: str) -> bool:
    try:
        return bool(av.codec.Codec(decoder, "r").properties & BITMAP_SUBTITLE)
    except (av.FFmpegError, ValueError):
        return False


def _canvases(container: Any, streams: list[Any]) -> dict[int, tuple[int, int]]:
    """Each picture subtitle stream's canvas: a DVD stream's from its header (`size: WxH`),
    a Blu-ray stream's from its first composition segment, read from its first packet."""
    found: dict[int, tuple[int, int]] = {}
    pgs: dict[int, int] = {}
    for ordinal, stream in enumerate(streams):
        name = stream.codec_context.name
        if name == "dvdsub":
            size = _dvd_size(bytes(stream.codec_context.extradata or b""))
            if size is not None:
                found[ordinal] = size
        elif name == "pgssub":
            pgs[stream.index] = ordinal
    if not pgs:
        return found
    wanted = [s for s in streams if s.index in pgs]
    container.seek(0)
    for packet in container.demux(*wanted):
        which = pgs.get(packet.stream.index)
        if which is None or which in found or packet.size == 0:
            continue
        size = _pgs_size(bytes(packet))
        if size is not None:
            found[which] = size
        if all(o in found for o in pgs.values()):
            break
    return found


def _dvd_size(header: bytes) -> tuple[int, int] | None:
    for line in header.decode("latin-1").splitlines():
        key, _, value = line.partition(":")
        width, _, height = value.strip().partition("x")
        if key.strip() == "size" and width.isdigit() and height.isdigit():
            return int(width), int(height)
    return None


def _pgs_size(data: bytes) -> tuple[int, int] | None:
    """The width and height a presentation composition segment (type 0x16) opens with; a
    packet is segments of (type, 16-bit length, payload)."""
    at = 0
    while at + 3 <= len(data):
        kind, length = data[at], int.from_bytes(data[at + 1 : at + 3], "big")
        if kind == PGS_COMPOSITION and length >= 4 and at + 7 <= len(data):
            width = int.from_bytes(data[at + 3 : at + 5], "big")
            height = int.from_bytes(data[at + 5 : at + 7], "big")
            return (width, height) if width and height else None
        at += 3 + length
    return None


def _language(stream: Any) -> str | None:
    """The stream's language as a 639-2/B code, None when it has none."""
    code = normalise(stream.language or stream.metadata.get("language"))
    return None if code == UNDETERMINED else code


CATALOG_KEYS: Final = ("video_codec", "width", "height", "fps", "video", "audio", "subtitles")


def catalog_facts(probed: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What of a stored probe (`ProbeResult.to_json`) airing needs: `catalog_asset.media`."""
    if not probed:
        return None
    return {key: probed.get(key) for key in CATALOG_KEYS}


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
