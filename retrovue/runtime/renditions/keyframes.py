"""A rendition's keyframe index: where in the file each keyframe's stream can be read from.

Built once when the rendition is made (a demux, no decode) and kept beside it, so playout
opens a rendition at any offset with one seek and no search. Each entry points at the PAT
the muxer writes before every video keyframe, so a demuxer started there finds its streams
and then the keyframe.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import av

from retrovue.errors import MediaError
from retrovue.runtime.profile import TICKS_PER_SECOND

INDEX_VERSION: Final = 1
INDEX_SUFFIX: Final = ".idx"
TS_PACKET: Final = 188
PAT_PID: Final = 0
PAT_LOOKBACK: Final = 16  # TS packets searched back from a keyframe for its PAT


def index_path(rendition: str | os.PathLike[str]) -> Path:
    return Path(f"{os.fspath(rendition)}{INDEX_SUFFIX}")


@dataclass(frozen=True, slots=True)
class Keyframe:
    """A keyframe `at` ticks into the rendition; its stream starts at byte `offset`."""

    at: int
    offset: int


@dataclass(frozen=True)
class KeyframeIndex:
    """Every video keyframe of one rendition; times are ticks from its first picture."""

    first_pts: int  # the first picture's pts: time zero of the rendition
    end: int  # ticks from time zero to the end of the last picture
    size_bytes: int  # the size of the file described (a different size: not this file)
    keyframes: tuple[Keyframe, ...]

    @property
    def duration_s(self) -> float:
        return self.end / TICKS_PER_SECOND

    def locate(self, offset_s: float, frame_ticks: int) -> Keyframe | None:
        """The keyframe at or before `offset_s` (one within a frame after it counts as at:
        a keyframe forced at a break lands on the first frame at or after the break); None
        past the last picture."""
        target = round(offset_s * TICKS_PER_SECOND)
        if not self.keyframes or target >= self.end:
            return None
        at = bisect.bisect_left([k.at for k in self.keyframes], target + frame_ticks)
        return self.keyframes[max(at - 1, 0)]

    @classmethod
    def build(cls, path: str | os.PathLike[str]) -> KeyframeIndex:
        """Index the MPEG-TS at `path`; MediaError when it is not a clean rendition."""
        found: list[tuple[int, int]] = []
        first: int | None = None
        last: int | None = None
        frame = 0
        corrupt = 0
        try:
            with av.open(os.fspath(path), format="mpegts") as container:
                for packet in container.demux(video=0):
                    if packet.pts is None:
                        continue
                    if packet.is_corrupt:
                        corrupt += 1
                    if first is None:
                        if not packet.is_keyframe:
                            raise MediaError(f"rendition does not open on a keyframe: {path}")
                        first = packet.pts
                    if last is not None:
                        if packet.pts <= last:
                            raise MediaError(f"rendition picture timestamps go backwards: {path}")
                        frame = packet.pts - last
                    last = packet.pts
                    if packet.is_keyframe:
                        if packet.pos is None:
                            raise MediaError(f"rendition keyframe without a position: {path}")
                        found.append((packet.pts - first, packet.pos))
        except av.FFmpegError as error:
            raise MediaError(f"rendition unreadable: {path}: {error}") from error
        if first is None or last is None:
            raise MediaError(f"rendition has no pictures: {path}")
        if corrupt:
            raise MediaError(f"rendition has {corrupt} corrupt packets: {path}")
        with open(path, "rb") as handle:
            keyframes = tuple(Keyframe(at, _pat_before(handle, pos, path)) for at, pos in found)
        size = os.path.getsize(path)
        return cls(first, last - first + frame, size, keyframes)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the index whole under a private name, then rename it into place."""
        target = Path(path)
        body = {
            "version": INDEX_VERSION,
            "first_pts": self.first_pts,
            "end": self.end,
            "size_bytes": self.size_bytes,
            "keyframes": [[k.at, k.offset] for k in self.keyframes],
        }
        partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            with open(partial, "w", encoding="utf-8") as out:
                json.dump(body, out, separators=(",", ":"))
            os.replace(partial, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> KeyframeIndex:
        """Read an index; MediaError when it is missing, unreadable or of another version."""
        try:
            with open(path, encoding="utf-8") as handle:
                body: Any = json.load(handle)
            if body.get("version") != INDEX_VERSION:
                raise MediaError(f"keyframe index of another version: {path}")
            keyframes = tuple(Keyframe(int(at), int(offset)) for at, offset in body["keyframes"])
            return cls(int(body["first_pts"]), int(body["end"]), int(body["size_bytes"]), keyframes)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise MediaError(f"keyframe index unreadable: {path}: {error}") from error


def _pat_before(handle: Any, position: int, path: str | os.PathLike[str]) -> int:
    """The offset of the last PAT packet before the keyframe packet at `position`."""
    start = max(position - PAT_LOOKBACK * TS_PACKET, 0)
    start -= (position - start) % TS_PACKET
    handle.seek(start)
    window = handle.read(position - start)
    for offset in range(len(window) - TS_PACKET, -1, -TS_PACKET):
        header = window[offset : offset + 3]
        if header[0] == 0x47 and ((header[1] & 0x1F) << 8 | header[2]) == PAT_PID:
            return start + offset
    raise MediaError(
        f"rendition keyframe at byte {position} has no stream tables before it: {path}"
    )
