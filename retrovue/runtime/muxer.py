"""The channel's one MPEG-TS muxer: rebased packets in, byte chunks marked at keyframes out."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av

from retrovue.runtime.profile import TICKS_PER_SECOND, OutputProfile
from retrovue.runtime.source import MediaPacket

TS_PACKET = 188
VIDEO_PID = 0x100
TIME_BASE = Fraction(1, TICKS_PER_SECOND)
PROVIDER = "RetroVue"
# What a broadcast decoder expects of the multiplex (DVB's timing rules):
# - PCR in the first packet of every video frame: 33.3 ms apart at 30 fps, under DVB's 40 ms;
# - PAT and PMT at least every 100 ms (asked for every 50 ms: a table waits for the next
#   packet to ride with), SDT every 0.5 s;
# - the system clock (PCR) runs MUX_DELAY_S behind the timestamps, and packets leave in DTS
#   order across streams (libavformat's interleaving queue), so a video frame is complete
#   MUX_DELAY_S less one frame before it is shown;
# - an AAC frame goes out in its own PES once it fills more than the smallest payload (170
#   bytes); smaller (near-silent) frames share one, which waits at most MUX_DELAY_S / 2 for
#   company. Every audio frame is thus complete at least MUX_DELAY_S / 2 less a video frame
#   (about 90 ms) before it is played: the margin the README states is 50 ms.
# - a stream that stops holds the other back no longer than MAX_INTERLEAVE_S.
MUX_DELAY_S = 0.25
MAX_INTERLEAVE_S = 0.5
MUX_OPTIONS = {
    "flush_packets": "1",
    "max_delay": str(round(MUX_DELAY_S * 1_000_000)),
    "max_interleave_delta": str(round(MAX_INTERLEAVE_S * 1_000_000)),
    "pcr_period": "30",
    "pat_period": "0.05",
    "sdt_period": "0.5",
    "pes_payload_size": "0",
    "mpegts_service_type": "digital_tv",
    "mpegts_copyts": "1",  # timestamps as given: channel time is the wall clock (channel_time.py)
}


@dataclass(frozen=True, slots=True)
class Chunk:
    """Bytes of the channel stream; `keyframe_pts` is set when they open a video keyframe."""

    data: bytes
    keyframe_pts: int | None = None


def opens_keyframe(data: bytes) -> bool:
    """Whether the first video TS packet in `data` starts a PES flagged random-access."""
    for offset in range(0, min(len(data), TS_PACKET * 8) - TS_PACKET + 1, TS_PACKET):
        header = data[offset : offset + 6]
        pid = ((header[1] & 0x1F) << 8) | header[2]
        if pid != VIDEO_PID:
            continue
        starts_pes = bool(header[1] & 0x40)
        has_adaptation = bool(header[3] & 0x20) and header[4] > 0
        return starts_pes and has_adaptation and bool(header[5] & 0x40)
    return False


class _Sink:
    """The file object PyAV writes into; it tags each write that opens a keyframe."""

    def __init__(self) -> None:
        self.pending: list[Chunk] = []
        self.keyframe_pts: list[int] = []

    def write(self, data: bytes) -> int:
        blob = bytes(data)
        pts = self.keyframe_pts.pop(0) if self.keyframe_pts and opens_keyframe(blob) else None
        self.pending.append(Chunk(blob, pts))
        return len(blob)


class TsMuxer:
    """Remuxes (never re-encodes) placed packets into one continuous MPEG-TS."""

    def __init__(
        self,
        emit: Callable[[list[Chunk]], None],
        profile: OutputProfile,
        service_name: str = PROVIDER,
        provider: str = PROVIDER,
        audio_languages: Sequence[str | None] = (None,),
    ) -> None:
        """`service_name` is what receivers list the channel as (the SDT's service name);
        `audio_languages` has one entry per audio track, the ISO 639 code its PMT entry is
        marked with (None: unmarked)."""
        self._emit = emit
        self._profile = profile
        self._service = (service_name, provider)
        self._languages = tuple(audio_languages) or (None,)
        self._sink = _Sink()
        self._container: Any = None
        self._streams: dict[tuple[str, int], Any] = {}
        self._waiting: list[tuple[MediaPacket, int]] = []

    def send(self, item: MediaPacket, ts: int) -> None:
        """Mux `item` at channel time `ts`; the header waits for one packet of each kind."""
        if self._container is None:
            self._waiting.append((item, ts))
            kinds = {waiting.kind for waiting, _ in self._waiting}
            if kinds != {"video", "audio"}:
                return
            self._open()
            waiting, self._waiting = self._waiting, []
            for queued, queued_ts in waiting:
                self._mux(queued, queued_ts)
        else:
            self._mux(item, ts)
        if item.kind == "video":
            # Audio rides with the next picture: one hand-off per frame, not per packet, keeps
            # the wake-ups of the event loop and of every viewer to the frame rate.
            self._flush()

    def _open(self) -> None:
        self._container = av.open(self._sink, "w", format="mpegts", options=MUX_OPTIONS)
        name, provider = self._service
        self._container.metadata["service_name"] = name
        self._container.metadata["service_provider"] = provider
        # Streams for muxing only, described by the profile: no producer's container (which may
        # already be closed) lends its parameters.
        profile = self._profile
        self._streams["video", 0] = self._container.add_mux_stream(
            "h264", rate=profile.fps, width=profile.width, height=profile.height
        )
        for track, language in enumerate(self._languages):
            stream = self._container.add_mux_stream("aac", rate=profile.sample_rate)
            if language is not None:
                # Written into the PMT as the stream's ISO_639_language_descriptor.
                stream.metadata["language"] = language
            self._streams["audio", track] = stream

    def _mux(self, item: MediaPacket, ts: int) -> None:
        packet = item.packet  # one packet may ride on two tracks: PyAV muxes a reference
        packet.stream = self._streams[item.kind, item.track if item.kind == "audio" else 0]
        packet.time_base = TIME_BASE
        packet.pts = ts
        packet.dts = ts
        if item.kind == "video" and item.keyframe:
            self._sink.keyframe_pts.append(ts)
        self._container.mux(packet)

    def _flush(self) -> None:
        if self._sink.pending:
            chunks, self._sink.pending = self._sink.pending, []
            self._emit(chunks)

    def close(self) -> None:
        """Write out what the muxer still holds and close it."""
        if self._container is not None:
            with contextlib.suppress(av.FFmpegError):
                self._container.close()
            self._container = None
            self._flush()
