"""Measurements that need decoding: EBU R128 loudness of each audio stream, and `idet`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from retrovue.errors import FfmpegError
from retrovue.ffmpeg import Ffmpeg

# The downmix a station airs (ffmpeg's default ITU matrix to stereo at 48 kHz): loudness is
# measured on the sound as it will air, so a 5.1 mix and its stereo downmix cannot disagree.
AIRED_DOWNMIX: Final = "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo"
# ebur128 reports this for silence; such a stream has no loudness to match.
SILENT_LUFS: Final = -70.0
IDET_FRAMES: Final = 250
IDET_START_MAX_S: Final = 60.0
# Analyses print at info level; the adapter's own level is error.
INFO: Final = ("-loglevel", "info", "-nostats")

_SUMMARY = re.compile(r"\[Parsed_ebur128_(\d+) @ [^\]]+\] Summary:")
_INTEGRATED = re.compile(r"^\s*I:\s+(-?[\d.]+|-inf) LUFS", re.MULTILINE)
_PEAK = re.compile(r"^\s*Peak:\s+(-?[\d.]+|-inf) dBFS", re.MULTILINE)
_IDET = re.compile(
    r"Multi frame detection: TFF:\s*(\d+) BFF:\s*(\d+) Progressive:\s*(\d+) Undetermined:\s*(\d+)"
)


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness (LUFS) and true peak (dBTP, None for digital silence)."""

    integrated_lufs: float
    true_peak: float | None


def loudness(ffmpeg: Ffmpeg, path: str, streams: int, seconds: float) -> list[Loudness | None]:
    """Each audio stream's loudness, all in one decoding pass of the audio (no video)."""
    graph = ";".join(
        f"[0:a:{i}]{AIRED_DOWNMIX},ebur128=peak=true:framelog=verbose[m{i}]" for i in range(streams)
    )
    outputs = [arg for i in range(streams) for arg in ("-map", f"[m{i}]", "-f", "null", "-")]
    log = ffmpeg.run(
        [*INFO, "-vn", "-sn", "-dn", "-i", path, "-filter_complex", graph, *outputs],
        timeout=60.0 + seconds / 4,
    )
    return parse_loudness(log, streams)


def parse_loudness(log: str, streams: int) -> list[Loudness | None]:
    """The summaries of `streams` ebur128 filters, in the order the graph lists them."""
    # A filter graph ffmpeg configures again prints its first instances' (empty) summaries
    # too: the last summary of each filter is the measurement.
    ends = {int(m.group(1)): m.end() for m in _SUMMARY.finditer(log)}
    found: list[Loudness | None] = []
    for _, start in sorted(ends.items()):
        block = log[start : start + 600]
        integrated = _INTEGRATED.search(block)
        peak = _PEAK.search(block)
        if integrated is None:
            found.append(None)
            continue
        value = _number(integrated.group(1))
        top = None if peak is None else _number(peak.group(1))
        found.append(Loudness(max(value, SILENT_LUFS), top) if value is not None else None)
    if len(found) != streams:
        raise FfmpegError(f"loudness: {len(found)} summaries for {streams} streams", [])
    return found


def _number(text: str) -> float | None:
    return None if text == "-inf" else float(text)


def field_order(ffmpeg: Ffmpeg, path: str, seconds: float) -> str:
    """'tt', 'bb' or 'progressive' as `idet` finds a stretch of the picture (past any opening
    black, which reads as progressive)."""
    start = min(seconds * 0.2, IDET_START_MAX_S)
    log = ffmpeg.run(
        [*INFO, "-ss", f"{start:.3f}", "-i", path, "-map", "0:v:0", "-vf", "idet",
         "-frames:v", str(IDET_FRAMES), "-an", "-sn", "-dn", "-f", "null", "-"],
        timeout=120.0,
    )  # fmt: skip
    return parse_idet(log)


def parse_idet(log: str) -> str:
    found = _IDET.findall(log)
    if not found:
        raise FfmpegError("idet printed no summary", [])
    tff, bff, progressive, _ = (int(n) for n in found[-1])
    if tff + bff <= progressive:
        return "progressive"
    return "tt" if tff >= bff else "bb"
