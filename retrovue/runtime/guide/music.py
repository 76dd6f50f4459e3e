"""The guide's music bed: its tracks joined once into one loudness-matched file, kept on disk."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from retrovue.errors import FfmpegError
from retrovue.ffmpeg import Ffmpeg
from retrovue.runtime.profile import OutputProfile

log = logging.getLogger(__name__)

TARGET_LUFS: Final = -24.0  # every track is brought to this before the producer's own gain
BED_BITRATE: Final = "192k"


def _key(tracks: Sequence[Path]) -> str:
    """Names the bed after its tracks as they are now: a changed file makes a new bed."""
    digest = hashlib.sha1()
    for track in tracks:
        stat = track.stat()
        digest.update(f"{track}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    digest.update(f"{TARGET_LUFS}\0{BED_BITRATE}".encode())
    return digest.hexdigest()[:16]


def _join_args(tracks: Sequence[Path], profile: OutputProfile, out: Path) -> list[str]:
    inputs: list[str] = []
    chains: list[str] = []
    for index, track in enumerate(tracks):
        inputs += ["-i", str(track)]
        chains.append(
            f"[{index}:a:0]loudnorm=I={TARGET_LUFS}:TP=-2,aresample={profile.sample_rate},"
            f"aformat=sample_fmts=fltp:channel_layouts=stereo[t{index}]"
        )
    joined = "".join(f"[t{i}]" for i in range(len(tracks)))
    graph = ";".join([*chains, f"{joined}concat=n={len(tracks)}:v=0:a=1[bed]"])
    return [
        *inputs, "-filter_complex", graph, "-map", "[bed]",
        "-c:a", "aac", "-b:a", BED_BITRATE, "-f", "mp4", str(out),
    ]  # fmt: skip


def music_bed(
    ffmpeg: Ffmpeg,
    tracks: Sequence[str | Path],
    folder: Path,
    profile: OutputProfile,
    timeout_s: float = 600.0,
) -> Path | None:
    """One file playing every readable track in turn, each at the same loudness, for the
    producer to loop; None (the guide airs silence) when there is no track or the join fails.

    Built once per set of tracks (minutes of music take seconds) and kept in `folder`: call it
    off the event loop when the guide starts or the tagged assets change.
    """
    readable: list[Path] = []
    for track in tracks:
        path = Path(track)
        if path.is_file():
            readable.append(path)
        else:
            log.warning("guide music %s is not a readable file: left out of the bed", track)
    if not readable:
        return None
    try:
        bed = folder / f"guide-music-{_key(readable)}.m4a"
        if bed.is_file():
            return bed
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.warning("guide music bed not made, the guide airs silence: %s", error)
        return None
    partial = folder / f".{bed.name}.{os.getpid()}.partial"
    try:
        ffmpeg.run(_join_args(readable, profile, partial), timeout=timeout_s)
        os.replace(partial, bed)
    except (FfmpegError, OSError) as error:
        log.warning("guide music bed not made, the guide airs silence: %s", error)
        return None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()
    return bed
