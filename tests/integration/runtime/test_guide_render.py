"""The guide producer through real ffmpeg: the channel profile, a refresh aired live, music."""

from __future__ import annotations

import array
import datetime as dt
import itertools
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image

from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.places import find_font
from retrovue.runtime.guide.layout import GuideLayout, build_layout
from retrovue.runtime.guide.music import music_bed
from retrovue.runtime.guide.producer import guide_args, guide_board
from retrovue.runtime.guide.render import TITLE_BAR, Geometry
from retrovue.runtime.profile import TICKS_PER_SECOND, OutputProfile
from retrovue.runtime.source import MediaPacket, ProducerSource, SourceEnd
from retrovue.schedule_manager.airing import ChannelInfo, ScheduledItem

IN_CI = os.environ.get("CI", "").lower() == "true"
NOW = dt.datetime(2024, 5, 1, 18, 47, tzinfo=dt.UTC)
AIRING = {2: "Twilight Zone", 4: "Looney Tunes", 7: "Casablanca"}
NAMES = {2: "Classic Gold", 4: "Cartoon Alley", 7: "Night Movies"}
LEAD_S = 1.0  # playout sends each packet this far ahead of its air time
RUN_S = 12
HEAD_H = Geometry(1280, 720).head_h
REFRESH_AT_S = 4.0  # when the new still is swapped in, in stream time being sent
REFRESH_AIRS_S = 8.0  # on air this soon after (ffmpeg and playout run ahead; 5 s measured)


def ocr(picture: Image.Image, folder: Path) -> str:
    found = shutil.which("tesseract")
    if found is None:
        if IN_CI:
            pytest.fail("tesseract is required under CI (Debian tesseract-ocr)")
        pytest.skip("tesseract is not installed (Debian tesseract-ocr)")
    path = folder / "frame.png"
    picture.convert("L").point(lambda value: 0 if value > 150 else 255).save(path)
    done = subprocess.run(
        [found, str(path), "stdout", "--psm", "11"],
        capture_output=True,
        check=True,
        timeout=60,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return " ".join(done.stdout.decode().split())


def layout(
    titles: dict[int, str], extra_channels: int = 0, station: str = "RetroVue TV"
) -> GuideLayout:
    """Channels 2, 4 and 7 airing `titles` from 18:30 to 19:30, then `extra_channels` more."""
    start, end = dt.datetime(2024, 5, 1, 18, 30, tzinfo=dt.UTC), NOW + dt.timedelta(minutes=43)
    names = {**NAMES, **{20 + n: f"Extra {n}" for n in range(extra_channels)}}
    channels = [ChannelInfo(n, name, "UTC", None, None, True, str(n)) for n, name in names.items()]
    items = {
        n: [ScheduledItem(n, n, start.date(), start, end, "program", 0, 1, 1, "/m.mp4", title,
                          canonical=True, available=True)]
        for n, title in titles.items()
    }  # fmt: skip
    return build_layout(station, "UTC", NOW, channels, items)


def tone(ffmpeg: Ffmpeg, path: Path, freq: int, volume: float, args: list[str]) -> Path:
    ffmpeg.run(["-f", "lavfi", "-i", f"sine=f={freq}:r=44100:d=3", "-af", f"volume={volume}",
                *args, str(path)])  # fmt: skip
    return path


@dataclass
class Received:
    video_pts: list[int] = field(default_factory=list)
    keyframe_pts: list[int] = field(default_factory=list)
    backwards: int = 0
    audio: array.array[int] = field(default_factory=lambda: array.array("h"))
    audio_rate: int = 0
    audio_channels: int = 0
    audio_codec: str = ""
    size: tuple[int, int] = (0, 0)
    headers: list[tuple[float, Image.Image]] = field(default_factory=list)
    profiles: list[tuple[float, list[int]]] = field(default_factory=list)
    pictures: dict[str, Image.Image] = field(default_factory=dict)


def play(source: ProducerSource, on_send: Any, received: Received) -> None:
    """Take packets as playout does (each sent LEAD_S before its air time) and decode them;
    `on_send(t)` is called with the stream time being sent."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
    started = 0.0
    first: int | None = None
    last: dict[str, int] = {}
    while True:
        item = source.get(timeout=10.0)
        assert item is not None, "the producer stalled"
        if isinstance(item, SourceEnd):
            assert item.error is None, item.error
            return
        assert isinstance(item, MediaPacket)
        if first is None:  # the channel clock starts with the producer's first packet
            first, started = item.dts, time.monotonic() + LEAD_S
        t = (item.dts - first) / TICKS_PER_SECOND
        time.sleep(max(started + t - LEAD_S - time.monotonic(), 0.0))
        on_send(t)
        if item.kind in last and item.dts <= last[item.kind]:
            received.backwards += 1
        last[item.kind] = item.dts
        packet = item.packet
        if item.kind == "audio":
            context = packet.stream.codec_context
            received.audio_codec, received.audio_rate = context.name, context.sample_rate
            received.audio_channels = context.channels
            for frame in packet.decode():
                for out in resampler.resample(frame):
                    received.audio.frombytes(bytes(out.planes[0])[: out.samples * 2])
            continue
        received.video_pts.append(item.pts)
        if item.keyframe:
            received.keyframe_pts.append(item.pts)
        for frame in packet.decode():
            received.size = (frame.width, frame.height)
            picture = frame.to_image()
            received.headers.append((t, picture.crop((0, 0, 1280, 100)).resize((160, 12))))
            # The rows' profile: the channel column's mean brightness, line by line.
            column = picture.crop((0, HEAD_H, 280, 720)).convert("L").resize((1, 720 - HEAD_H))
            received.profiles.append((t, list(column.tobytes())))
            if 1.9 < t < 2.0 and "before" not in received.pictures:
                received.pictures["before"] = picture
            received.pictures["last"] = picture


def shift(earlier: list[int], later: list[int]) -> int:
    """How many lines the rows moved up from one frame to the next (0 to 4)."""

    def mismatch(lines: int) -> float:
        pairs = zip(later[: len(later) - lines], earlier[lines:], strict=True)
        return sum(abs(a - b) for a, b in pairs) / (len(later) - lines)

    return min(range(5), key=mismatch)


def header_change(headers: list[tuple[float, Image.Image]]) -> float | None:
    """When the header stopped looking like the first one (a still with a new header aired);
    the encoder's noise on the unchanged header is a tenth of a level on average."""
    first = headers[0][1].convert("L").tobytes()
    for t, picture in headers:
        now = picture.convert("L").tobytes()
        if sum(abs(a - b) for a, b in zip(first, now, strict=True)) / len(now) > 0.8:
            return t
    return None


@pytest.mark.slow
def test_the_guide_producer_streams_the_profile_and_airs_a_refreshed_still_without_restart(
    tmp_path: Path,
) -> None:
    ffmpeg, profile = Ffmpeg(resolve_ffmpeg()), OutputProfile()
    board = guide_board(profile, tmp_path / "guide.bmp", find_font())
    board.refresh(layout(AIRING))
    bed = music_bed(ffmpeg, [tone(ffmpeg, tmp_path / "a.mp3", 440, 0.2, [])], tmp_path, profile)
    source = ProducerSource(ffmpeg, guide_args(profile, board.path, RUN_S, bed, -3.0), "guide")
    refreshed: list[float] = []

    def on_send(t: float) -> None:
        if t >= REFRESH_AT_S and not refreshed:
            # Twelve rows now (they scroll, the still grows), a new title and station name.
            board.refresh(layout({**AIRING, 2: "Breaking News"}, 9, "RetroVue Late"))
            refreshed.append(t - LEAD_S)  # what is on air as it is swapped in

    received = Received()
    try:
        play(source, on_send, received)
    finally:
        source.close()
    frames = received.video_pts
    assert received.size == (1280, 720)
    assert RUN_S * 30 - 1 <= len(frames) <= RUN_S * 30 + 1
    steps = {b - a for a, b in itertools.pairwise(frames)}
    assert steps == {TICKS_PER_SECOND // 30}  # every frame, evenly: no gap, no repeat
    offsets = [pts - frames[0] for pts in received.keyframe_pts]
    assert offsets == [n * TICKS_PER_SECOND for n in range(len(offsets))]  # one a second
    assert len(offsets) == RUN_S
    assert received.backwards == 0
    assert (received.audio_codec, received.audio_rate, received.audio_channels) == ("aac", 48000, 2)
    seconds = len(received.audio) / 48000
    assert RUN_S - 0.1 <= seconds <= RUN_S + 0.2
    loud = sum(abs(s) for s in received.audio[48000:96000]) / 48000
    assert loud > 300  # the music bed, looped past its 3 s
    assert sum(abs(s) for s in received.audio[-48000:]) / 48000 > 300

    before = ocr(received.pictures["before"], tmp_path)
    for number, name in NAMES.items():
        assert name in before and AIRING[number] in before
    changed = header_change(received.headers)
    assert changed is not None and refreshed
    print(f"new still swapped in at air time {refreshed[0]:.2f} s, on air at {changed:.2f} s")
    assert changed - refreshed[0] <= REFRESH_AIRS_S
    profiles = [p for t, p in received.profiles]
    moves = [shift(a, b) for a, b in itertools.pairwise(profiles)]
    assert set(moves[: 3 * 30]) == {0}  # three rows fit the screen: they stand still
    late = moves[-60:]  # twelve rows do not: they scroll 2 lines every other frame
    assert sorted(set(late)) == [0, 2] and sum(late) == 60
    after = ocr(received.pictures["last"], tmp_path)
    assert "RetroVue Late" in after and "Breaking News" in after


@pytest.mark.slow
def test_without_music_the_guide_airs_silence_from_a_still_whose_path_has_percent_signs(
    tmp_path: Path,
) -> None:
    ffmpeg, profile = Ffmpeg(resolve_ffmpeg()), OutputProfile()
    board = guide_board(profile, tmp_path / "100%d guide" / "still%03d.bmp", find_font())
    board.refresh(layout(AIRING))
    process = ffmpeg.spawn(guide_args(profile, board.path, 2.0))
    try:
        data = process.stdout.read()
    finally:
        assert process.close() == 0, process.stderr_tail
    capture = tmp_path / "guide.ts"
    capture.write_bytes(data)
    with av.open(str(capture)) as container:
        frames = list(container.decode(video=0))
    samples = array.array("h")
    with av.open(str(capture)) as container:
        resampler = av.AudioResampler(format="s16", layout="stereo", rate=48000)
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                samples.frombytes(bytes(out.planes[0])[: out.samples * 4])
    assert len(frames) == 60
    assert len(samples) >= 2 * 48000 * 1.9 and max(map(abs, samples)) == 0
    top = frames[-1].to_image().getpixel((640, 4))  # the title bar, drawn from the still
    assert all(abs(a - b) <= 12 for a, b in zip(top, TITLE_BAR, strict=True))


@pytest.mark.slow
def test_tracks_of_any_format_and_loudness_join_into_one_bed_at_one_loudness(
    tmp_path: Path,
) -> None:
    ffmpeg, profile = Ffmpeg(resolve_ffmpeg()), OutputProfile()
    quiet = tone(ffmpeg, tmp_path / "quiet.mp3", 330, 0.05, [])
    loud = tone(ffmpeg, tmp_path / "loud.flac", 550, 0.8, ["-ac", "1", "-ar", "22050"])
    missing = tmp_path / "gone.mp3"
    bed = music_bed(ffmpeg, [quiet, loud, missing], tmp_path / "beds", profile)
    assert bed is not None
    assert music_bed(ffmpeg, [quiet, loud], tmp_path / "beds", profile) == bed  # kept, not redone
    with av.open(str(bed)) as container:
        stream = container.streams.audio[0]
        assert (stream.codec_context.sample_rate, stream.codec_context.channels) == (48000, 2)
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        samples = array.array("h")
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                samples.frombytes(bytes(out.planes[0])[: out.samples * 2])
    assert len(samples) / 48000 == pytest.approx(6.0, abs=0.1)

    def level(a: float, b: float) -> float:
        part = samples[int(a * 48000) : int(b * 48000)]
        return (sum(s * s for s in part) / len(part)) ** 0.5

    # 0.05 and 0.8 are 24 dB apart; in the bed they are within about 1.5 dB of each other.
    assert level(1.0, 2.5) / level(4.0, 5.5) == pytest.approx(1.0, rel=0.2)
    assert music_bed(ffmpeg, [missing], tmp_path / "beds", profile) is None
