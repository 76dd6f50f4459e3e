"""Subtitles a file carries or has beside it, as the probe reports them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from retrovue.domain.languages import UNDETERMINED, normalise

SIDECAR_SUFFIXES: Final = (".srt", ".ass", ".ssa")


@dataclass(frozen=True)
class SubtitleStream:
    """Embedded (`index` counts subtitle streams, ffmpeg's `s:N`) or a sidecar file (`path`).

    `canvas` is a picture subtitle's (width, height): the frame its pictures are placed on,
    which need not be the video's (Blu-ray subtitles kept beside a 720p re-encode).
    """

    codec: str
    image: bool
    language: str
    forced: bool = False
    default: bool = False
    index: int | None = None
    path: str | None = None
    canvas: tuple[int, int] | None = None


def sidecars(path: str) -> Iterator[SubtitleStream]:
    """Subtitle files beside `path`: `Name.srt`, `Name.en.srt`, `Name.eng.forced.ass`."""
    media = Path(path)
    try:
        neighbours = sorted(media.parent.iterdir())
    except OSError:
        return
    for candidate in neighbours:
        suffix = candidate.suffix.lower()
        if suffix not in SIDECAR_SUFFIXES or not candidate.name.startswith(media.stem + "."):
            continue
        tags = candidate.name[len(media.stem) : -len(suffix)].lower().split(".")
        forced = "forced" in tags
        known = [normalise(t) for t in tags if t and t != "forced" and normalise(t) != UNDETERMINED]
        yield SubtitleStream(
            codec="ass" if suffix in (".ass", ".ssa") else "subrip",
            image=False,
            language=known[0] if known else UNDETERMINED,
            forced=forced,
            path=str(candidate),
        )
