"""Oracles on decoded output: picture width, combing, tones (Goertzel), loudness, text (OCR)."""

from __future__ import annotations

import array
import math
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
from media_kinds import BEEP_HZ, PICTURE_LUMA_MIN

from retrovue.ffmpeg import Ffmpeg

RATE = 48_000


def grey_frames(path: Path, skip_s: float = 0.5, stream: int = 0) -> Iterator[tuple[float, Any]]:
    """(time, luma plane as bytes-with-stride) of each decoded picture from `skip_s` on."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=stream):
            t = float(frame.pts * frame.time_base)
            if t < skip_s:
                continue
            yield t, frame


def _luma(frame: Any) -> tuple[bytes, int]:
    plane = frame.reformat(format="gray").planes[0]
    return bytes(plane), plane.line_size


def picture_span(frame: Any) -> tuple[int, int]:
    """First and last column (exclusive) of the picture on the middle row: brighter than bars."""
    data, stride = _luma(frame)
    row = data[(frame.height // 2) * stride : (frame.height // 2) * stride + frame.width]
    lit = [x for x, y in enumerate(row) if y > PICTURE_LUMA_MIN]
    return (lit[0], lit[-1] + 1) if lit else (0, 0)


def combing(frame: Any) -> float:
    """Mean luma difference between each line and the next, inside the picture's middle."""
    data, stride = _luma(frame)
    x0, x1 = frame.width * 3 // 8, frame.width * 5 // 8
    y0, y1 = frame.height // 4, frame.height * 3 // 4
    total = 0
    for y in range(y0, y1):
        a = data[y * stride + x0 : y * stride + x1]
        b = data[(y + 1) * stride + x0 : (y + 1) * stride + x1]
        total += sum(abs(p - q) for p, q in zip(a, b, strict=True))
    return total / ((y1 - y0) * (x1 - x0))


def mono_samples(path: Path, stream: int = 0) -> tuple[float, array.array[float]]:
    """The start time and the float samples (48 kHz, mono mix) of audio stream `stream`."""
    samples: array.array[float] = array.array("f")
    start: float | None = None
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        for frame in container.decode(audio=stream):
            for out in resampler.resample(frame):
                if start is None:
                    start = float(out.pts * out.time_base)
                samples.frombytes(bytes(out.planes[0])[: out.samples * 4])
    assert start is not None, f"no audio in {path}"
    return start, samples


def goertzel(samples: array.array[float], frequency: float) -> float:
    """Power of `frequency` in `samples` (one Goertzel bin)."""
    coefficient = 2 * math.cos(2 * math.pi * frequency / RATE)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coefficient * s1 - s2, s1
    return (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / max(len(samples), 1) ** 2


def dominant_tone(samples: array.array[float], candidates: list[int]) -> tuple[int, float]:
    """The candidate frequency with the most power, and its share of all candidates' power."""
    window = samples[RATE // 2 : RATE // 2 + RATE // 2]  # half a second past the start
    powers = {f: goertzel(window, f) for f in candidates}
    best = max(powers, key=lambda f: powers[f])
    return best, powers[best] / max(sum(powers.values()), 1e-30)


def peak(samples: array.array[float]) -> float:
    return max((abs(x) for x in samples), default=0.0)


@dataclass(frozen=True)
class Level:
    integrated_lufs: float
    true_peak_dbtp: float


def measured_level(ffmpeg: Ffmpeg, path: Path, start_s: float = 0.0, seconds: float = 0.0) -> Level:
    """ffmpeg's own ebur128 over a span of a recording's first audio stream (times from the
    recording's start)."""
    span = f"atrim=start={start_s:.3f}" + (f":duration={seconds:.3f}" if seconds else "") + ","
    log = ffmpeg.run(
        ["-loglevel", "info", "-nostats", "-i", str(path), "-map", "0:a:0",
         "-af", f"{span}ebur128=peak=true:framelog=verbose", "-f", "null", "-"]
    )  # fmt: skip
    summary = log[log.rindex("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    top = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated is not None and top is not None, summary
    return Level(float(integrated.group(1)), float(top.group(1).replace("-inf", "-200")))


def flashes(path: Path) -> list[float]:
    """Times where the picture turns white after being grey (the sync fixture's flashes)."""
    found: list[float] = []
    lit = False
    for t, frame in grey_frames(path, skip_s=0.0):
        data, stride = _luma(frame)
        y = data[(frame.height // 2) * stride + frame.width // 2]
        if y > 200 and not lit:
            found.append(t)
        lit = y > 200
    return found


def beeps(path: Path) -> list[float]:
    """Times where the beep starts: the first 1 ms whose level passes a third of the loudest
    beep's, after at least half a second below it."""
    start, samples = mono_samples(path)
    ms = RATE // 1000
    levels = [peak(samples[i : i + ms]) for i in range(0, len(samples) - ms, ms)]
    threshold = max(levels) / 3
    found: list[float] = []
    quiet_ms = 1000
    for index, level in enumerate(levels):
        if level > threshold and quiet_ms >= 500:
            found.append(start + index / 1000)
        quiet_ms = 0 if level > threshold else quiet_ms + 1
    assert BEEP_HZ  # the fixture's beep is what is heard
    return found


def ocr(video: Path, at_s: float, box: tuple[int, int, int, int], scratch: Path) -> str:
    """The text tesseract reads in the picture shown `at_s` into `video`, inside `box` (x, y,
    width, height), thresholded: white lettering (subtitles, a caption) goes black on white."""
    binary = shutil.which("tesseract")
    assert binary is not None, "tesseract-ocr is required"
    frames = grey_frames(video, skip_s=0.0)
    first, frame = next(frames)
    t = first
    while t - first < at_s - 0.001:
        t, frame = next(frames)
    data, stride = _luma(frame)
    x, y, w, h = box
    ink = bytes(0 if v > 200 else 255 for v in range(256))
    rows = b"".join(
        data[r * stride + x : r * stride + x + w].translate(ink) for r in range(y, y + h)
    )
    still = scratch / f"ocr-{at_s:.2f}.pgm"
    still.write_bytes(b"P5 %d %d 255\n" % (w, h) + rows)
    done = subprocess.run(
        [binary, str(still), "stdout", "--psm", "6"],
        capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return " ".join(done.stdout.split())


def bottom_text(video: Path, at_s: float, scratch: Path) -> str:
    """What OCR reads in the bottom quarter of the picture shown `at_s` into `video`."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        w, h = stream.codec_context.width, stream.codec_context.height
    return ocr(video, at_s, (0, h - h // 4, w, h // 4), scratch)
