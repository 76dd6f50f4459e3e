"""What one file needs to air right: from the catalog's probed facts and the channel's choices.

The facts are `catalog_asset.media` as promotion wrote them (the library probe's video, audio
and subtitle facts); a row without them airs its first audio track through the single-pass
normaliser, and no subtitles.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from retrovue.schedule_manager.airing import Presentation, ScheduledItem

DEFAULT_LOUDNESS_TARGET: Final = -24.0  # LUFS, ATSC A/85
TRUE_PEAK_CEILING: Final = -2.0  # dBTP
MAX_GAIN_DB: Final = 20.0  # a near-silent file is not lifted into hiss
SILENT_LUFS: Final = -60.0
# Beyond 1080p30 of pixels per second a source is heavy for two cores: decoding and scaling
# it takes the cheaper paths (bench/transcode.py measures each kind).
HEAVY_PIXELS_PER_S: Final = 1920 * 1080 * 30 * 1.05
BUG_POSITIONS: Final = ("top-left", "top-right", "bottom-left", "bottom-right")

FieldOrder = Literal["tt", "bb"]


@dataclass(frozen=True)
class AudioPick:
    """One source audio stream to air (`index` is ffmpeg's a:N), with the gain that brings it
    to the station's target; `gain_db` None means unmeasured: the single-pass normaliser
    (filtergraph.single_pass) brings it there instead, under the same limiter.

    That normaliser holds 3 s of sound before its first output. Fed from the picture's
    demuxer it held the producer's first picture back by 0.4 to 0.7 s (3 s of picture decoded
    and encoded first), so its producer reads the sound with a demuxer of its own: the first
    packets then come 14 to 45 ms later than a measured item's (bench/tune_in.py)."""

    index: int
    language: str
    gain_db: float | None


@dataclass(frozen=True)
class SubtitlePick:
    """Burn embedded stream s:`index` (text or image), or the text file at `path`.

    A picture stream is drawn on its own `canvas` (width, height) when the probe read it:
    ffmpeg would take the video's size, and a Blu-ray subtitle (drawn for 1080p) beside a
    720p re-encode would fall off the bottom of the picture."""

    index: int | None
    path: str | None
    image: bool
    canvas: tuple[int, int] | None = None


@dataclass(frozen=True)
class Bug:
    path: str
    position: str
    opacity: float


@dataclass(frozen=True)
class Caption:
    """`text` shown from `from_s` (producer time) to the producer's end."""

    text: str
    from_s: float


@dataclass(frozen=True)
class ItemShape:
    """Everything beyond the profile that one producer does for its item."""

    field_order: FieldOrder | None = None
    source_fps: float | None = None
    audio: tuple[AudioPick, ...] = (AudioPick(0, "und", None),)
    subtitle: SubtitlePick | None = None
    bug: Bug | None = None
    caption: Caption | None = None
    heavy: bool = False

    @classmethod
    def plain(cls, has_audio: bool) -> ItemShape:
        """A file nothing is known of: first video and audio, the sound unmeasured."""
        return cls(audio=(AudioPick(0, "und", None),) if has_audio else ())


def channel_audio_languages(look: Presentation) -> tuple[str | None, ...]:
    """The ISO 639 code of each audio track a channel carries (None: unmarked).

    One unmarked track, unless the channel carries a second language: then the main track is
    marked with the channel's first preferred language ('und' without one) and the second
    with its language."""
    if look.second_audio is None:
        return (None,)
    return (look.audio_language[0] if look.audio_language else "und", look.second_audio)


def shape_item(
    item: ScheduledItem,
    offset_s: float,
    has_audio: bool,
    *,
    loudness_target: float = DEFAULT_LOUDNESS_TARGET,
    second_track: bool = False,
    caption_font: bool = True,
) -> ItemShape:
    """The shape of `item` aired from `offset_s` (its file's position) on its channel."""
    media: Mapping[str, Any] = item.media or {}
    look = item.presentation
    video = media.get("video") or {}
    streams = [s for s in media.get("audio") or () if isinstance(s, Mapping)]
    audio: tuple[AudioPick, ...] = ()
    two = second_track and look.second_audio is not None
    if has_audio:
        main = _pick_audio(streams, look.audio_language)
        audio = (_aired(main, loudness_target),)
        if two and look.second_audio is not None:
            # Only a file with that language encodes a second track; for any other item the
            # channel carries the main one on both (see timeline.py), at no extra cost.
            other = next(
                (s for s in streams if _lang(s) == look.second_audio and s is not main), None
            )
            if other is not None:
                audio += (_aired(other, loudness_target),)
    return ItemShape(
        field_order=_field_order(video),
        source_fps=_fps(video),
        audio=audio,
        subtitle=_pick_subtitle(media.get("subtitles") or (), look, audio),
        bug=_bug(item, look),
        caption=_caption(item, offset_s, look) if caption_font else None,
        heavy=_heavy(media),
    )


def _lang(stream: Mapping[str, Any]) -> str:
    return str(stream.get("language") or "und")


def _pick_audio(
    streams: Sequence[Mapping[str, Any]], preference: Sequence[str]
) -> Mapping[str, Any] | None:
    """The first stream in the channel's first preferred language that the file has; else
    the file's default stream, else its first."""
    for language in preference:
        for stream in streams:
            if _lang(stream) == language:
                return stream
    return next((s for s in streams if s.get("default")), streams[0] if streams else None)


def _aired(stream: Mapping[str, Any] | None, target: float, label: str | None = None) -> AudioPick:
    if stream is None:
        return AudioPick(0, label or "und", None)
    loudness = stream.get("loudness_lufs")
    gain: float | None = None
    if isinstance(loudness, int | float):
        gain = 0.0 if loudness <= SILENT_LUFS else min(target - float(loudness), MAX_GAIN_DB)
    return AudioPick(int(stream.get("index") or 0), label or _lang(stream), gain)


def _field_order(video: Mapping[str, Any]) -> FieldOrder | None:
    order = video.get("field_order")
    if order in ("tt", "tb"):
        return "tt"
    if order in ("bb", "bt"):
        return "bb"
    return None


def _fps(video: Mapping[str, Any]) -> float | None:
    rate = video.get("rate")
    if isinstance(rate, Sequence) and len(rate) == 2 and rate[1]:
        return float(rate[0]) / float(rate[1])
    return None


def _heavy(media: Mapping[str, Any]) -> bool:
    width, height = media.get("width") or 0, media.get("height") or 0
    fps = _fps(media.get("video") or {}) or float(media.get("fps") or 0)
    return bool(width * height * fps > HEAVY_PIXELS_PER_S)


def _pick_subtitle(
    subtitles: Sequence[Any], look: Presentation, audio: Sequence[AudioPick]
) -> SubtitlePick | None:
    """'forced': the forced track (in the aired language first); a language: its full track.
    Text before image, embedded before a file beside the video; a gone file is no choice."""
    if look.subtitles == "off":
        return None
    usable = [
        s
        for s in subtitles
        if isinstance(s, Mapping) and (s.get("path") is None or os.path.isfile(str(s["path"])))
    ]
    spoken = audio[0].language if audio else "und"
    if look.subtitles == "forced":
        wanted = [s for s in usable if s.get("forced")]
        wanted.sort(key=lambda s: (_lang(s) != spoken, bool(s.get("image"))))
    else:
        wanted = [s for s in usable if _lang(s) == look.subtitles]
        wanted.sort(
            key=lambda s: (bool(s.get("forced")), bool(s.get("image")), s.get("path") is not None)
        )
    if not wanted:
        return None
    chosen = wanted[0]
    index = chosen.get("index")
    image = bool(chosen.get("image"))
    return SubtitlePick(
        None if index is None else int(index),
        chosen.get("path"),
        image,
        _canvas(chosen.get("canvas")) if image else None,
    )


def _canvas(value: Any) -> tuple[int, int] | None:
    if isinstance(value, Sequence) and len(value) == 2 and all(isinstance(v, int) for v in value):
        width, height = value
        return (width, height) if width > 0 and height > 0 else None
    return None


def _bug(item: ScheduledItem, look: Presentation) -> Bug | None:
    """Programmes carry the bug; commercials, bumpers, station IDs and cards never do."""
    if item.kind != "program" or not look.bug_path or not os.path.isfile(look.bug_path):
        return None
    position = look.bug_position if look.bug_position in BUG_POSITIONS else "bottom-right"
    return Bug(look.bug_path, position, min(max(look.bug_opacity, 0.0), 1.0))


def _caption(item: ScheduledItem, offset_s: float, look: Presentation) -> Caption | None:
    """ "Next: TITLE" over a programme's last part, its last `next_caption_s` seconds."""
    if item.kind != "program" or not look.next_caption_s or not item.next_title:
        return None
    left = item.duration_ms / 1000 - (offset_s - item.in_point_ms / 1000)
    return Caption(f"Next: {item.next_title}", max(left - look.next_caption_s, 0.0))
