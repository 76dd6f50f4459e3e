"""A running producer: its ffmpeg, and a thread demuxing its MPEG-TS into a bounded queue."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import av

from retrovue.ffmpeg import Ffmpeg, FfmpegProcess

QUEUE_PACKETS = 240  # about 2.5 s of audio and video; ffmpeg blocks on its pipe beyond
# Enough probing to know the streams' parameters before the first packets are handed out.
OPEN_OPTIONS = {"probesize": "32768", "analyzeduration": "0"}

MediaKind = Literal["video", "audio"]


@dataclass(frozen=True, slots=True)
class MediaPacket:
    """One demuxed packet with its timestamps in 90 kHz ticks.

    Audio comes in `tracks` tracks (the producer's audio streams in order); `track` is this
    packet's: 0 the main sound, 1 the channel's second language.
    """

    kind: MediaKind
    pts: int
    dts: int
    keyframe: bool
    packet: Any  # av.Packet; PyAV ships no type information
    track: int = 0
    tracks: int = 1


def media_packet(packet: Any, audio_streams: Sequence[Any]) -> MediaPacket:
    """A demuxed PyAV packet (video or audio, timestamped) as playout sees it; `audio_streams`
    are its container's audio streams in order."""
    track = 0
    if packet.stream.type == "audio":
        track = next((n for n, s in enumerate(audio_streams) if s.index == packet.stream.index), 0)
    tracks = max(len(audio_streams), 1)
    return MediaPacket(
        packet.stream.type, packet.pts, packet.dts, packet.is_keyframe, packet, track, tracks
    )


@dataclass(frozen=True, slots=True)
class SourceEnd:
    """The producer's output ended; `error` says why when it was not a clean finish."""

    error: str | None


class Source(Protocol):
    """A running producer as playout sees it: packets in order, then one end marker."""

    label: str

    @property
    def pid(self) -> int: ...

    def get(self, timeout: float) -> MediaPacket | SourceEnd | None: ...

    def close(self) -> None: ...


SourceFactory = Callable[[list[str], str], Source]


class ProducerSource:
    """Starts ffmpeg now and demuxes it in the background; `get()` hands out packets in order."""

    def __init__(self, ffmpeg: Ffmpeg, args: list[str], label: str) -> None:
        self.label = label
        self._queue: queue.Queue[MediaPacket | SourceEnd] = queue.Queue(QUEUE_PACKETS)
        self._stop = threading.Event()
        self.process: FfmpegProcess = ffmpeg.spawn(args)
        self._thread = threading.Thread(target=self._demux, name=f"demux {label}", daemon=True)
        self._thread.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def get(self, timeout: float) -> MediaPacket | SourceEnd | None:
        """The next packet, the end marker, or None when nothing came within `timeout`."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def _put(self, item: MediaPacket | SourceEnd) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _demux(self) -> None:
        error: str | None = None
        try:
            container: Any = av.open(
                self.process.stdout, format="mpegts", options=OPEN_OPTIONS, buffer_size=16384
            )
            with container:
                audio = list(container.streams.audio)
                known = {stream.index for stream in audio}
                for packet in container.demux():
                    if self._stop.is_set():
                        break
                    kind = packet.stream.type
                    if packet.dts is None or packet.pts is None or kind not in ("video", "audio"):
                        continue
                    if kind == "audio" and packet.stream.index not in known:
                        audio = list(container.streams.audio)  # a stream found late
                        known = {stream.index for stream in audio}
                    if not self._put(media_packet(packet, audio)):
                        break
        except (av.FFmpegError, OSError, ValueError) as failure:
            error = f"unreadable producer output: {failure}"
        if self._stop.is_set():
            self._drain()
            return
        code = self.process.poll()
        if code is None:
            code = self._wait_exit()
        if error is None and code not in (0, None):
            error = str(self.process.error(f"ffmpeg exited with {code}"))
        self._put(SourceEnd(error))

    def _drain(self) -> None:
        """Read and discard until ffmpeg exits: blocked on a full pipe, it would never see the
        SIGTERM `close()` sends (its write restarts) and would hold `close()` until SIGKILL."""
        with contextlib.suppress(OSError, ValueError):
            while self.process.stdout.read(65536):
                pass

    def _wait_exit(self) -> int | None:
        for _ in range(20):
            if self._stop.wait(0.05):
                return None
            code = self.process.poll()
            if code is not None:
                return code
        return None

    def close(self) -> None:
        """Stop demuxing, then terminate and reap ffmpeg."""
        self._stop.set()
        # The demuxer drains the pipe until ffmpeg exits, and must finish before the pipe is
        # closed under it.
        self.process.terminate()
        self._thread.join(timeout=5.0)
        self.process.close()
