"""Automatic quality control: flags what should not air before an operator looks."""

from __future__ import annotations

from typing import Final, Literal

from retrovue.domain.probe import ProbeResult

QcFlag = Literal["unreadable", "no_video", "no_duration", "tiny_duration", "no_audio"]

# Shorter than this is a broken file or a stray sample, never a spot or a program.
MIN_DURATION_MS: Final = 500

# FFmpeg reads any text file as ANSI art (and a few art formats like it): a "video" stream,
# but never a programme.
TEXT_ART_CODECS: Final = frozenset({"ansi", "bintext", "xbin", "idf"})

# Flags no review can wave through: the catalog needs a playable picture of known length.
HARD_FLAGS: Final[frozenset[str]] = frozenset({"unreadable", "no_video", "no_duration"})

DESCRIPTIONS: Final[dict[str, str]] = {
    "unreadable": "file could not be read",
    "no_video": "no video stream",
    "no_duration": "duration unknown",
    "tiny_duration": f"shorter than {MIN_DURATION_MS} ms",
    "no_audio": "no audio stream",
}


def check(probe: ProbeResult | None) -> list[QcFlag]:
    """The flags a probe result raises; a file that could not be probed is unreadable."""
    if probe is None:
        return ["unreadable"]
    flags: list[QcFlag] = []
    if probe.video_codec is None or probe.video_codec in TEXT_ART_CODECS:
        flags.append("no_video")
    if probe.duration_ms is None:
        flags.append("no_duration")
    elif probe.duration_ms < MIN_DURATION_MS:
        flags.append("tiny_duration")
    if not probe.audio:
        flags.append("no_audio")
    return flags


def describe(flags: list[str], error: str | None = None) -> str:
    """A review reason an operator can read: the error first, then each flag."""
    parts = [error] if error else []
    parts += [DESCRIPTIONS.get(f, f) for f in flags if not (error and f == "unreadable")]
    return "; ".join(parts)


def blocks_canonical(flags: list[str], operator_approved: bool) -> list[str]:
    """The flags that keep an item off air: hard ones always, the rest until approved."""
    if operator_approved:
        return [f for f in flags if f in HARD_FLAGS]
    return list(flags)
