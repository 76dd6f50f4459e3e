"""Reading a captured channel stream back: packets, colours, tones and the moving bar."""

from __future__ import annotations

import array
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av

CLIP_COLOURS = {
    "red": (255, 0, 0),
    "green": (0, 255, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "cyan": (0, 255, 255),
    "magenta": (255, 0, 255),
}
CLIP_TONES = {"red": 440, "green": 660, "blue": 880, "yellow": 1100, "cyan": 1320, "magenta": 1540}
CLIP_SECONDS = {"red": 4, "green": 5, "blue": 3, "yellow": 6, "cyan": 10, "magenta": 10}
# The station's own cards (retrovue.runtime.producers.CARD_COLOURS), told apart from the clips.
CARD_COLOURS = {"slate": (0x1C, 0x2A, 0x48), "emergency": (0x8B, 0x00, 0x00)}
PALETTE = {**CLIP_COLOURS, **CARD_COLOURS}
BAR_PX_PER_S = 30  # the white bar's x on the 320-px clip: 30 px per second (10.6 s across)
SMALL_W, SMALL_H = 128, 72


@dataclass
class PacketReport:
    corrupt: int = 0
    backwards: int = 0
    largest_video_gap_s: float = 0.0
    largest_audio_gap_s: float = 0.0  # from one audio packet's start to the next one's
    video_frames: int = 0
    first_video_s: float | None = None
    video: list[tuple[float, str]] = field(default_factory=list)
    audio: list[tuple[float, str]] = field(default_factory=list)


def _rgb_rows(frame: Any) -> tuple[bytes, int]:
    small = frame.reformat(width=SMALL_W, height=SMALL_H, format="rgb24")
    plane = small.planes[0]
    return bytes(plane), plane.line_size


def classify_colour(frame: Any) -> str:
    """The clip or card whose colour fills the frame (the median pixel of a row)."""
    data, stride = _rgb_rows(frame)
    top = SMALL_H // 5  # above the cards' text lines, which cross the middle row
    row = data[top * stride : top * stride + SMALL_W * 3]
    pixels = sorted((row[i], row[i + 1], row[i + 2]) for i in range(0, len(row), 3))
    r, g, b = pixels[len(pixels) // 2]
    best = min(
        PALETTE.items(),
        key=lambda kv: sum(abs(x - y) for x, y in zip(kv[1], (r, g, b), strict=True)),
    )
    distance = sum(abs(x - y) for x, y in zip(best[1], (r, g, b), strict=True))
    return best[0] if distance < 150 else "other"


def bar_position_s(frame: Any) -> float:
    """Where the clip was when this frame was made: the white bar's x on 320 px."""
    data, stride = _rgb_rows(frame)
    row = data[(SMALL_H // 2) * stride : (SMALL_H // 2) * stride + SMALL_W * 3]
    whites = [i // 3 for i in range(0, len(row), 3) if min(row[i], row[i + 1], row[i + 2]) > 100]
    if not whites:
        raise ValueError("no bar in frame")
    x_small = (whites[0] + whites[-1]) / 2
    x_clip = x_small * 320 / SMALL_W - 3  # the bar is 6 px wide; x is its left edge
    return max(x_clip, 0.0) / BAR_PX_PER_S


def classify_tone(samples: array.array[int], rate: int) -> str:
    crossings = sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))
    if max((abs(s) for s in samples), default=0) < 500:
        return "silence"
    freq = crossings * rate / (2 * len(samples))
    return min(CLIP_TONES, key=lambda name: abs(CLIP_TONES[name] - freq))


def analyse(path: Path, window_s: float = 0.01) -> PacketReport:
    report = PacketReport()
    last: dict[str, int] = {}
    previous: dict[str, int] = {}
    with av.open(str(path)) as container:
        kinds = (container.streams.video, container.streams.audio)
        firsts = {streams[0].index for streams in kinds if streams}
        for packet in container.demux():
            if packet.dts is None:
                continue
            kind = packet.stream.type
            report.corrupt += int(packet.is_corrupt)
            if kind in last and packet.dts <= last[kind]:
                report.backwards += 1
            last[kind] = packet.dts
            if packet.stream.index in firsts:
                if kind in previous:
                    gap = float((packet.dts - previous[kind]) * packet.time_base)
                    if kind == "video":
                        report.largest_video_gap_s = max(report.largest_video_gap_s, gap)
                    else:
                        report.largest_audio_gap_s = max(report.largest_audio_gap_s, gap)
                previous[kind] = packet.dts
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            t = float(frame.pts * frame.time_base)
            if report.first_video_s is None:
                report.first_video_s = t
            report.video_frames += 1
            report.video.append((t, classify_colour(frame)))
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        window = round(48000 * window_s)
        pending = array.array("h")
        start: float | None = None
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                if start is None:
                    start = float(out.pts * out.time_base)
                pending.frombytes(bytes(out.planes[0])[: out.samples * 2])
        assert start is not None
        for index in range(0, len(pending) - window, window):
            tone = classify_tone(pending[index : index + window], 48000)
            report.audio.append((start + index / 48000, tone))
    return report


def transitions(timeline: list[tuple[float, str]], settle: int = 3) -> list[tuple[float, str]]:
    """Instants where the class changes to one that then holds for `settle` samples."""
    found: list[tuple[float, str]] = []
    current = None
    for index, (t, name) in enumerate(timeline):
        if name == current or name in ("other", "silence"):
            continue
        ahead = [n for _, n in timeline[index : index + settle]]
        if all(n == name for n in ahead):
            if current is not None:
                found.append((t, name))
            current = name
    return found
