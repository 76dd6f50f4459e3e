"""The channel muxer's multiplex, fed what real producers make (a slate, then a clip), read
back by our own transport analyser and by ffprobe."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import av
import pytest
from conftest import Clip, need_tool
from transport_analysis import TransportReport, analyse_transport

from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.places import find_font
from retrovue.runtime.muxer import Chunk, TsMuxer
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import TICKS_PER_SECOND, OutputProfile
from retrovue.runtime.source import MediaPacket
from retrovue.runtime.timeline import ItemCursor

PROFILE = OutputProfile()
BASE = 10 * TICKS_PER_SECOND
# The stated limits (README): PCR at most every 40 ms, PAT and PMT at most every 100 ms, and
# every PES complete at least 50 ms before its presentation time.
PCR_MAX_S = 0.040
PSI_MAX_S = 0.100
MARGIN_S = 0.050


def produce(ffmpeg: Ffmpeg, args: list[str], path: Path) -> Path:
    """A producer's output, to a file (its argv ends with the pipe it would write to)."""
    assert args[-1] == "pipe:1"
    ffmpeg.run(["-y", *args[:-1], str(path)])
    return path


def mux_items(path: Path, items: list[tuple[Path, float]], name: str) -> None:
    """Air each producer output for its seconds back to back through one TsMuxer."""
    written: list[bytes] = []

    def emit(chunks: list[Chunk]) -> None:
        written.extend(chunk.data for chunk in chunks)

    muxer = TsMuxer(emit, PROFILE, service_name=name)
    start = floor = BASE
    for produced, seconds in items:
        end = start + round(seconds * TICKS_PER_SECOND)
        cursor = ItemCursor(start, end, floor, PROFILE.frame_ticks, PROFILE.audio_frame_ticks)
        with av.open(str(produced)) as container:
            for packet in container.demux():
                kind = packet.stream.type
                if packet.dts is None or kind not in ("video", "audio"):
                    continue
                got = MediaPacket(kind, packet.pts, packet.dts, packet.is_keyframe, packet)
                for item, tick in cursor.place(got):
                    muxer.send(item, tick)
        start, floor = end, cursor.audio_end
    muxer.close()
    path.write_bytes(b"".join(written))


def check_transport(report: TransportReport) -> None:
    assert report.continuity_errors == 0
    assert max(report.pcr_intervals) <= PCR_MAX_S, max(report.pcr_intervals)
    assert max(report.pat_intervals) <= PSI_MAX_S, max(report.pat_intervals)
    assert max(report.pmt_intervals) <= PSI_MAX_S, max(report.pmt_intervals)
    for kind in ("video", "audio"):
        assert report.worst_margin(kind) >= MARGIN_S, (kind, report.worst_margin(kind))


@pytest.mark.slow
def test_slate_then_a_clip_mux_into_a_broadcast_clean_stream_named_for_the_channel(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    ffprobe = need_tool("ffprobe")
    factory = ProducerFactory(PROFILE, tmp_path, find_font())
    ffmpeg = Ffmpeg(resolve_ffmpeg())
    name = "Rétro Two & Co"
    slate = factory.card("slate", 4.0, (name, "We'll be right back"))
    clip = factory.file(str(clips["blue"].path), 0.0, 4.0, True)
    capture = tmp_path / "muxed.ts"
    mux_items(
        capture,
        [
            (produce(ffmpeg, slate, tmp_path / "slate.ts"), 3.0),
            (produce(ffmpeg, clip, tmp_path / "clip.ts"), 3.0),
        ],
        name,
    )
    report = analyse_transport(capture)
    assert (report.service_name, report.provider_name) == (name, "RetroVue")
    check_transport(report)
    probed = subprocess.run(
        [ffprobe, "-v", "error", "-of", "json", "-show_programs", str(capture)],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    programs = json.loads(probed.stdout)["programs"]
    assert [p["tags"]["service_name"] for p in programs] == [name]
    assert programs[0]["tags"]["service_provider"] == "RetroVue"


def test_every_sound_frame_of_a_producer_carries_its_own_timestamp(tmp_path: Path) -> None:
    """A slate's near-silent AAC frames each go in a PES of their own, so a demuxer that has
    not probed the stream yet (the station's reads a producer's pipe at once) still stamps
    every one; sharing a PES, all but the first came without a timestamp and were dropped."""
    factory = ProducerFactory(PROFILE, tmp_path, find_font())
    slate = produce(
        Ffmpeg(resolve_ffmpeg()), factory.card("slate", 2.0, ("Slate",)), tmp_path / "slate.ts"
    )
    with av.open(str(slate), options={"probesize": "32", "analyzeduration": "0"}) as container:
        frames = [packet for packet in container.demux(audio=0) if packet.size]
    assert len(frames) >= 2.0 * PROFILE.sample_rate / 1024 - 1
    assert [packet for packet in frames if packet.pts is None] == []
