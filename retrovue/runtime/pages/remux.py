"""A copy-remux of the channel's MPEG-TS into fragmented MP4, which browsers play natively."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, Final

import av

log = logging.getLogger(__name__)

FRAGMENTED: Final = {"movflags": "frag_keyframe+empty_moov+default_base_moof"}
# The channel's streams are known (H.264 + AAC, PAT/PMT up front): a short probe is enough,
# and a long one would delay the first picture by as much stream as it reads.
PROBE: Final = {"probesize": "262144", "analyzeduration": "800000"}
INPUT_CHUNKS: Final = 600
HOLD_PACKETS: Final = 240  # video packets held while waiting for the first audio frame
READ_POLL_S: Final = 0.25


class RemuxStopped(Exception):
    """The viewer left or fell behind: the remux ends without an error to report."""


def adts_config(frame: bytes) -> tuple[bytes, int] | None:
    """The AudioSpecificConfig an ADTS frame header describes, and the header's length.

    MP4 carries AAC raw, with the config once in the track header; MPEG-TS repeats it in a
    7-byte (9 with CRC) header on every frame. None when `frame` is not ADTS.
    """
    if len(frame) < 9 or frame[0] != 0xFF or frame[1] & 0xF6 != 0xF0:
        return None
    object_type = ((frame[2] >> 6) & 0x3) + 1
    frequency = (frame[2] >> 2) & 0xF
    channels = ((frame[2] & 0x1) << 2) | (frame[3] >> 6)
    config = (object_type << 11) | (frequency << 7) | (channels << 3)
    return config.to_bytes(2, "big"), 7 if frame[1] & 0x1 else 9


class TsInput:
    """A read-only, unseekable file for the demuxer, fed chunk by chunk from the event loop."""

    def __init__(self, limit: int = INPUT_CHUNKS) -> None:
        self._chunks: queue.Queue[bytes | None] = queue.Queue(limit)
        self._pending = b""
        self._ended = threading.Event()

    def feed(self, data: bytes) -> bool:
        """Queue `data`; False when the remux is this far behind (the viewer is dropped)."""
        try:
            self._chunks.put_nowait(data)
            return True
        except queue.Full:
            return False

    def end(self) -> None:
        """No more input: the demuxer sees end of file, whatever is still queued."""
        self._ended.set()

    def read(self, size: int = -1) -> bytes:
        while not self._pending:
            if self._ended.is_set():
                return b""
            try:
                chunk = self._chunks.get(timeout=READ_POLL_S)
            except queue.Empty:
                continue
            if chunk is None:
                self._ended.set()
                return b""
            self._pending = chunk
        wanted = len(self._pending) if size < 0 else size
        data, self._pending = self._pending[:wanted], self._pending[wanted:]
        return data


class Mp4Output:
    """A write-only file for the muxer: each write goes to `sink`, which may refuse it."""

    def __init__(self, sink: Callable[[bytes], None]) -> None:
        self._sink = sink

    def write(self, data: bytes | memoryview) -> int:
        self._sink(bytes(data))
        return len(data)


def remux(source: TsInput, output: Mp4Output) -> None:
    """Demux `source` and mux every audio and video packet unchanged into fragmented MP4.

    Runs until the source ends or the sink raises; timestamps are shifted to start at zero so
    the browser's clock starts there too.
    """
    with av.open(source, mode="r", format="mpegts", options=PROBE) as ts:
        wanted = [s for s in ts.streams if s.type in ("video", "audio")]
        if not wanted:
            raise av.error.InvalidDataError(0, "the channel stream has no audio or video")
        with av.open(output, mode="w", format="mp4", options=FRAGMENTED) as mp4:
            tracks = {s.index: mp4.add_stream_from_template(s) for s in wanted}
            _copy(ts, wanted, tracks, mp4)


def _copy(ts: Any, wanted: list[Any], tracks: dict[int, Any], mp4: Any) -> None:
    has_audio = any(s.type == "audio" for s in wanted)
    held: list[av.Packet[Any]] = []
    origin: int | None = None
    for packet in ts.demux(wanted):
        if packet.dts is None or packet.pts is None:
            continue
        track = tracks[packet.stream.index]
        if packet.stream.type == "audio":
            packet = _raw_aac(packet, track)
            if packet is None:
                continue
        if origin is None:
            # MPEG-TS gives every stream the same 90 kHz time base: one origin fits all.
            held.append(packet)
            audio_known = not has_audio or any(p.stream.type == "audio" for p in held)
            if not audio_known and len(held) < HOLD_PACKETS:
                continue
            origin = min(p.dts for p in held if p.dts is not None)
            ready, held = held, []
        else:
            ready = [packet]
        for each in ready:
            _shift_and_mux(each, origin, tracks, mp4)


def _raw_aac(packet: av.Packet[Any], track: Any) -> av.Packet[Any] | None:
    data = bytes(packet)
    found = adts_config(data)
    if found is None:
        return packet if track.codec_context.extradata else None
    config, header = found
    if not track.codec_context.extradata:
        track.codec_context.extradata = config
    raw = av.Packet(data[header:])
    raw.pts, raw.dts, raw.duration = packet.pts, packet.dts, packet.duration
    raw.time_base = packet.time_base
    raw.stream = packet.stream
    return raw


def _shift_and_mux(packet: av.Packet[Any], origin: int, tracks: dict[int, Any], mp4: Any) -> None:
    assert packet.dts is not None and packet.pts is not None
    if packet.dts < origin:
        return
    source_index = packet.stream.index
    packet.dts -= origin
    packet.pts -= origin
    packet.stream = tracks[source_index]
    mp4.mux(packet)
