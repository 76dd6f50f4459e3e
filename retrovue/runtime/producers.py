"""ffmpeg argument lists for each kind of producer: a file from an offset, and the cards."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from retrovue.runtime.profile import OutputProfile

log = logging.getLogger(__name__)

CardKind = Literal["slate", "black", "emergency"]

# A file's last picture is held this long past its end, so frame-grid rounding never leaves an
# item a frame short of its scheduled end (which would shift everything after it).
TAIL_HOLD_S = 0.25

CARD_COLOURS: dict[CardKind, str] = {
    "slate": "0x1c2a48",
    "black": "black",
    "emergency": "0x8b0000",
}


def _filter_path(path: Path) -> str:
    """A path quoted for a filtergraph option value."""
    text = str(path).replace("\\", "/")
    return "'" + text.replace("'", r"'\''").replace(":", r"\:") + "'"


@dataclass(frozen=True)
class ProducerFactory:
    """Builds producer argv for one output profile; card text goes through files in `scratch`."""

    profile: OutputProfile
    scratch: Path
    font: Path | None

    def file(self, path: str, offset_s: float, duration_s: float, has_audio: bool) -> list[str]:
        """Play `path` from `offset_s` for `duration_s`, normalised to the profile."""
        p = self.profile
        args = ["-ss", f"{max(offset_s, 0.0):.3f}", "-i", path]
        if not has_audio:
            args += ["-f", "lavfi", "-i", f"anullsrc=r={p.sample_rate}:cl=stereo"]
        audio_input = "0:a:0" if has_audio else "1:a:0"
        return [
            *args,
            "-map", "0:v:0", "-map", audio_input,
            "-vf", f"{p.video_filter()},tpad=stop_mode=clone:stop_duration={TAIL_HOLD_S}",
            "-af", p.audio_filter(),
            # Padded sound ends with the picture: a file shorter than its slot ends its
            # producer (playout airs slate for the rest) instead of sending sound alone.
            "-shortest",
            "-t", f"{duration_s:.3f}",
            *p.encode_args(),
        ]  # fmt: skip

    def card(self, kind: CardKind, duration_s: float, lines: tuple[str, ...] = ()) -> list[str]:
        """A still card (slate, black or emergency) with silence."""
        p = self.profile
        video = f"color=c={CARD_COLOURS[kind]}:s={p.width}x{p.height}:r={p.fps}"
        if kind != "black" and self.font is not None and lines:
            try:
                video += "," + self._text(lines)
            except OSError as error:  # a read-only data directory: the card goes without text
                log.warning("card text not written, the card has none: %s", error)
        return [
            "-f", "lavfi", "-i", video,
            "-f", "lavfi", "-i", f"anullsrc=r={p.sample_rate}:cl=stereo",
            "-map", "0:v:0", "-map", "1:a:0",
            "-vf", "format=yuv420p", "-t", f"{duration_s:.3f}",
            *p.encode_args(),
        ]  # fmt: skip

    def _text(self, lines: tuple[str, ...]) -> str:
        assert self.font is not None
        font = _filter_path(self.font)
        size = self.profile.height // 12
        step = size * 3 // 2
        top = self.profile.height // 2 - step * len(lines) // 2
        parts = []
        for index, line in enumerate(lines):
            text_file = self._text_file(line)
            parts.append(
                # expansion=none: a '%' in the text ("100% Hits") is text, not a directive.
                f"drawtext=fontfile={font}:textfile={_filter_path(text_file)}:expansion=none:"
                f"fontcolor=white:fontsize={size}:x=(w-text_w)/2:y={top + index * step}"
            )
        return ",".join(parts)

    def _text_file(self, text: str) -> Path:
        """Card text lives in a file so no filtergraph escaping can break it."""
        self.scratch.mkdir(parents=True, exist_ok=True)
        path = self.scratch / f"card-{hashlib.sha1(text.encode()).hexdigest()[:16]}.txt"
        if not path.exists():
            # Channels share these files: written whole under a private name, then renamed, so
            # a producer never reads one half written.
            handle, partial = tempfile.mkstemp(dir=self.scratch, prefix=".card-")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(text)
                os.replace(partial, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(partial)
                raise
        return path
