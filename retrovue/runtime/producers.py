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

from retrovue.runtime.filtergraph import GraphInputs, audio_chain, filter_path, video_graph
from retrovue.runtime.item_shape import (
    DEFAULT_LOUDNESS_TARGET,
    ItemShape,
    shape_item,
)
from retrovue.runtime.profile import OutputProfile
from retrovue.schedule_manager.airing import ScheduledItem

log = logging.getLogger(__name__)

CardKind = Literal["slate", "black", "emergency"]

# A file's last picture is held this long past its end, so frame-grid rounding never leaves an
# item a frame short of its scheduled end (which would shift everything after it).
TAIL_HOLD_S = 0.25
SEEK_EARLY_FRAMES = 0.25
# A picture subtitle is one packet at the moment it appears: a seek that lands on a keyframe
# after it (a Blu-ray has one a second, a DVD two) loses the words on screen at tune-in. A
# producer of such an item starts reading this much earlier and drops what it decodes before
# its offset, so a line begun up to this long before the offset is on screen from the start.
# It costs about 0.25 s more to the first picture of 1080p H.264 with a keyframe a second,
# 1.7 to 2.8 s of UHD HEVC: heavy sources go without (the line shows from the next one).
SUBTITLE_PREROLL_S = 5.0

# A source too heavy for real time decodes the cheaper way: no in-loop deblocking or SAO
# (invisible once 4K is scaled down to the channel's size); bench/transcode.py measures it.
HEAVY_DECODE = ("-skip_loop_filter", "all")

CARD_COLOURS: dict[CardKind, str] = {
    "slate": "0x1c2a48",
    "black": "black",
    "emergency": "0x8b0000",
}


def seek_arg(offset_s: float, fps: int) -> str:
    """`-ss` for a producer starting at `offset_s`: a quarter of a frame early, to the
    microsecond, so its first picture is the source frame nearest the offset whatever the
    rounding (a seek to just past a frame's time would start on the next one, and two
    producers started at different offsets could air one moment a frame apart)."""
    return f"{max(offset_s - SEEK_EARLY_FRAMES / fps, 0.0):.6f}"


@dataclass(frozen=True)
class ProducerFactory:
    """Builds producer argv for one output profile; card text goes through files in `scratch`.

    `loudness_target` (LUFS) is the station's; `second_audio_track` says whether playout
    carries a channel's second language (a producer then encodes it as a second audio track
    when the file has it).
    """

    profile: OutputProfile
    scratch: Path
    font: Path | None
    loudness_target: float = DEFAULT_LOUDNESS_TARGET
    second_audio_track: bool = False

    def scheduled(
        self, item: ScheduledItem, offset_s: float, duration_s: float, has_audio: bool
    ) -> list[str]:
        """Air a scheduled item's file from `offset_s`, shaped by its facts and its channel."""
        assert item.file_path is not None
        shape = shape_item(
            item,
            offset_s,
            has_audio,
            loudness_target=self.loudness_target,
            second_track=self.second_audio_track,
            caption_font=self.font is not None,
        )
        return self.file(item.file_path, offset_s, duration_s, has_audio, shape)

    def file(
        self,
        path: str,
        offset_s: float,
        duration_s: float,
        has_audio: bool,
        shape: ItemShape | None = None,
    ) -> list[str]:
        """Play `path` from `offset_s` for `duration_s`, normalised to the profile."""
        p = self.profile
        shape = shape or ItemShape.plain(has_audio)
        picks = shape.audio if has_audio else ()
        seek = seek_arg(offset_s, p.fps)
        sub = shape.subtitle
        preroll = 0.0
        if sub is not None and sub.image and sub.index is not None and not shape.heavy:
            early = seek_arg(offset_s - SUBTITLE_PREROLL_S, p.fps)
            preroll, seek = float(seek) - float(early), early
        args = [*(HEAVY_DECODE if shape.heavy else ()), "-ss", seek]
        if sub is not None and sub.index is not None and sub.canvas is not None:
            args += [f"-canvas_size:s:{sub.index}", "{}x{}".format(*sub.canvas)]
        args += ["-i", path]
        inputs = 1
        sound = silence = bug = None
        if any(pick.gain_db is None for pick in picks):
            # Unmeasured sound goes through the single-pass normaliser, which holds 3 s of it
            # before its first output: read by a demuxer of its own from the same point, that
            # costs decoding 3 s of sound, not decoding and encoding 3 s of picture as well.
            sound, inputs = inputs, inputs + 1
            args += ["-ss", seek, "-vn", "-sn", "-dn", "-i", path]
        if not picks:
            silence, inputs = inputs, inputs + 1
            args += ["-f", "lavfi", "-i", f"anullsrc=r={p.sample_rate}:cl=stereo"]
        if shape.bug is not None:
            bug = inputs
            args += ["-i", shape.bug.path]
        caption = self._caption_file(shape)
        graph = video_graph(
            p,
            path,
            shape,
            GraphInputs(silence, bug),
            offset_s,
            caption,
            self.font,
            TAIL_HOLD_S,
            preroll,
        )
        maps = ["-map", "[v]"]
        tracks = [
            (f"{0 if pick.gain_db is not None else sound}:a:{pick.index}", pick.gain_db,
             pick.language)
            for pick in picks
        ]  # fmt: skip
        silent = [(f"{silence}:a:0", 0.0, "und")]
        for n, (stream, gain, language) in enumerate(tracks or silent):
            skip = preroll if tracks else 0.0  # the silence input starts at 0 whatever the seek
            chain = audio_chain(p, gain, self.loudness_target, skip)
            maps += ["-map", stream, f"-filter:a:{n}", chain]
            maps += [f"-metadata:s:a:{n}", f"language={language}"]
        return [
            *args,
            "-filter_complex", graph,
            *maps,
            # Padded sound ends with the picture: a file shorter than its slot ends its
            # producer (playout airs slate for the rest) instead of sending sound alone.
            "-shortest",
            "-t", f"{duration_s:.3f}",
            *p.encode_args(),
        ]  # fmt: skip

    def _caption_file(self, shape: ItemShape) -> Path | None:
        if shape.caption is None or self.font is None:
            return None
        try:
            return self._text_file(shape.caption.text)
        except OSError as error:
            log.warning("caption text not written, the programme goes without: %s", error)
            return None

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
        font = filter_path(self.font)
        size = self.profile.height // 12
        step = size * 3 // 2
        top = self.profile.height // 2 - step * len(lines) // 2
        parts = []
        for index, line in enumerate(lines):
            text_file = self._text_file(line)
            parts.append(
                # expansion=none: a '%' in the text ("100% Hits") is text, not a directive.
                f"drawtext=fontfile={font}:textfile={filter_path(text_file)}:expansion=none:"
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
