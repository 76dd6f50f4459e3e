"""A rendition read as a producer: its packets from the keyframe at or before an offset.

No decoder, no encoder and no process: the file is already in the channel profile, so its
packets go to the channel's muxer as they are, as a live producer's would.
"""

from __future__ import annotations

import itertools
import os
from typing import Any, Final

import av

from retrovue.errors import MediaError
from retrovue.runtime.profile import TICKS_PER_SECOND, OutputProfile
from retrovue.runtime.renditions.keyframes import KeyframeIndex, index_path
from retrovue.runtime.source import OPEN_OPTIONS, MediaPacket, SourceEnd, media_packet

_PIDS = itertools.count(1)
DEFAULT_FRAME_TICKS: Final = OutputProfile().frame_ticks


class RenditionSource:
    """Implements the `Source` protocol over a prepared rendition.

    Packets are handed out from the keyframe at or before `offset_s` (within a second: there
    is one every second) until `duration_s` past it or the end of the file, then one
    `SourceEnd(None)`. `pid` is a negative number of its own: there is no process.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        offset_s: float,
        duration_s: float,
        label: str = "rendition",
        frame_ticks: int = DEFAULT_FRAME_TICKS,
    ) -> None:
        """MediaError when the rendition or its index is missing, or they do not match."""
        self.label = label
        self._pid = -next(_PIDS)
        self._container: Any = None
        self._packets: Any = None
        self._ended = False
        self._done: set[str] = set()
        index = KeyframeIndex.load(index_path(path))
        try:
            size = os.path.getsize(path)
        except OSError as error:
            raise MediaError(f"rendition unreadable: {path}: {error}") from error
        if size != index.size_bytes:
            raise MediaError(f"rendition does not match its keyframe index: {path}")
        keyframe = index.locate(offset_s, frame_ticks)
        self.start_s: float | None = None  # where in the item the first picture is
        if keyframe is None:
            return  # past the last picture: nothing to air, as a producer seeking there
        self.start_s = keyframe.at / TICKS_PER_SECOND
        self._start = index.first_pts + keyframe.at
        self._stop = self._start + round(duration_s * TICKS_PER_SECOND)
        options = {**OPEN_OPTIONS, "skip_initial_bytes": str(keyframe.offset)}
        try:
            self._container = av.open(os.fspath(path), format="mpegts", options=options)
        except (av.FFmpegError, OSError) as error:
            raise MediaError(f"rendition unreadable: {path}: {error}") from error
        self._packets = self._container.demux()
        self._started = False

    @property
    def pid(self) -> int:
        return self._pid

    def get(self, timeout: float) -> MediaPacket | SourceEnd | None:
        """The next packet, the end marker (once), then None. Reading a local file does not
        wait on anything, so `timeout` is never needed."""
        if self._ended:
            return None
        if self._packets is None:
            return self._end(None)
        try:
            for packet in self._packets:
                kind = packet.stream.type
                if packet.dts is None or packet.pts is None or kind not in ("video", "audio"):
                    continue
                if packet.pts >= self._stop:
                    # The muxer interleaves sound a little ahead of pictures: each kind ends
                    # on its own, the source once both have.
                    self._done.add(kind)
                    if len(self._done) == 2:
                        return self._end(None)
                    continue
                if packet.pts < self._start:
                    continue  # sound of the picture before: the item starts at its keyframe
                if not self._started:
                    if kind == "video" and not packet.is_keyframe:
                        return self._end(f"rendition has no keyframe at {self.start_s} s")
                    self._started = kind == "video"
                return media_packet(packet, self._container.streams.audio)
        except (av.FFmpegError, OSError, ValueError) as failure:
            return self._end(f"unreadable rendition: {failure}")
        return self._end(None)

    def _end(self, error: str | None) -> SourceEnd:
        self._ended = True
        self.close()
        return SourceEnd(error)

    def close(self) -> None:
        if self._container is not None:
            container, self._container = self._container, None
            self._packets = None
            container.close()
