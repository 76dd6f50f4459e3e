"""Producer speed per source kind (run by hand), and the cost of measuring loudness at ingest.

.venv/bin/python bench/transcode.py [--seconds 10] [--keep DIR]

Each kind is a test pattern with grain (so its encoder spends real bits) made once. The
producer's own argv (ProducerFactory.scheduled, the station's 720p30 profile) transcodes it
to a null sink, as fast as it can: speed is media seconds per wall second (1.0x is real
time), with the CPU seconds ffmpeg used per media second. A heavy kind runs twice, with and
without the lowered-work decoding the station picks for it. Loudness: the ingest measurement
(one ebur128 pass over every audio stream) timed on a 5.1 AC3 and a stereo AAC file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Final

from retrovue.domain import measure
from retrovue.domain.probe import catalog_facts, probe
from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.runtime.item_shape import shape_item
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import OutputProfile
from retrovue.schedule_manager.airing import ScheduledItem

GRAIN: Final = "noise=alls=10:allf=t"
H264: Final = ("-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p")
HEVC10: Final = ("-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
                 "-pix_fmt", "yuv420p10le")  # fmt: skip
SIX: Final = "pan=5.1(side)|FL=c0|FR=c0|FC=c0|LFE=c0|SL=c0|SR=c0"


def _kinds(seconds: float) -> dict[str, list[str]]:
    def pattern(size: str, rate: str) -> list[str]:
        return ["-f", "lavfi", "-i", f"testsrc2=s={size}:r={rate}", "-f", "lavfi", "-i",
                "sine=f=500:r=48000"]  # fmt: skip

    t = ["-t", f"{seconds:g}"]
    return {
        "720p30 H.264 (the test clips)": [*pattern("1280x720", "30"), "-vf", GRAIN, *t, *H264,
                                          "-c:a", "aac"],
        "1080p23.976 H.264 High + 5.1 AC3": [*pattern("1920x1080", "24000/1001"), "-vf", GRAIN,
                                             "-af", SIX, *t, *H264, "-c:a", "ac3"],
        "1080p24 HEVC 10-bit": [*pattern("1920x1080", "24"), "-vf", GRAIN, *t, *HEVC10,
                                "-c:a", "aac"],
        "480i MPEG-2 4:3": [*pattern("720x480", "30000/1001"),
                            "-vf", f"{GRAIN},tinterlace=mode=interleave_top", *t,
                            "-c:v", "mpeg2video", "-b:v", "6M", "-flags", "+ilme+ildct",
                            "-aspect", "4:3", "-c:a", "ac3"],
        "720x480 anamorphic 16:9": [*pattern("720x480", "30000/1001"), "-vf", GRAIN, *t,
                                    "-aspect", "16:9", *H264, "-c:a", "aac"],
        "1080p VFR H.264 (phone)": [*pattern("1920x1080", "60"), "-vf",
                                    f"{GRAIN},select='not(eq(mod(n\\,5)\\,3))'",
                                    "-fps_mode", "vfr", *t, *H264, "-c:a", "aac"],
        "2160p24 HEVC 10-bit": [*pattern("3840x2160", "24"), "-vf", GRAIN,
                                "-t", f"{min(seconds, 5):g}", *HEVC10, "-c:a", "aac"],
    }  # fmt: skip


def _item(path: Path) -> ScheduledItem:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    facts = catalog_facts(probe(str(path)).to_json())
    return ScheduledItem(
        event_id=1, channel_number=1, broadcast_day=at.date(), start_utc=at,
        end_utc=at + dt.timedelta(hours=1), kind="program", in_point_ms=0, program_group=0,
        asset_id=1, file_path=str(path), media=facts,
    )  # fmt: skip


def _timed(ffmpeg: Ffmpeg, args: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one ffmpeg run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    ffmpeg.run(args, timeout=3600)
    wall = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run(folder: Path, seconds: float) -> None:
    ffmpeg = Ffmpeg(resolve_ffmpeg())
    factory = ProducerFactory(OutputProfile(), folder / "cards", None)
    print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()}")
    print("| source kind | speed (x real time) | CPU s per media s | lowered work |")
    print("|---|---|---|---|")
    for name, recipe in _kinds(seconds).items():
        source = folder / (name.split(" (")[0].replace(" ", "_").replace(":", "") + ".mkv")
        if not source.exists():
            ffmpeg.run([*recipe, str(source)], timeout=3600)
        item = _item(source)
        length = (probe(str(source), measure=False).duration_ms or 0) / 1000
        shape = shape_item(item, 0.0, True)
        runs = [(shape, "yes" if shape.heavy else "no")]
        if shape.heavy:
            runs.append((replace(shape, heavy=False), "no (for comparison)"))
        for chosen, label in runs:
            args = factory.file(str(source), 0.0, length, True, chosen)
            wall, cpu = _timed(ffmpeg, [*args[:-1], os.devnull])
            print(f"| {name} | {length / wall:.2f} | {cpu / length:.2f} | {label} |")
    print(f"load average at end: {os.getloadavg()}")
    _loudness(ffmpeg, folder)


def _loudness(ffmpeg: Ffmpeg, folder: Path) -> None:
    minutes = 10
    for name, codec, layout in (("5.1 AC3", "ac3", SIX), ("stereo AAC", "aac", "anull")):
        path = folder / f"loudness-{codec}.mka"
        if not path.exists():
            noise = ["-f", "lavfi", "-i", "anoisesrc=color=pink:r=48000", "-af", layout]
            ffmpeg.run([*noise, "-t", str(minutes * 60), "-c:a", codec, str(path)], timeout=3600)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.monotonic()
        measure.loudness(ffmpeg, str(path), 1, minutes * 60)
        wall = time.monotonic() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        per_hour = 60 / minutes
        print(f"loudness at ingest, {name}: {wall * per_hour:.0f} s wall, {cpu * per_hour:.0f} s "
              f"CPU per hour of audio (load {os.getloadavg()[0]:.1f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each source")
    parser.add_argument("--keep", type=Path, help="make and keep the sources here")
    options = parser.parse_args()
    if options.keep is not None:
        options.keep.mkdir(parents=True, exist_ok=True)
        run(options.keep, options.seconds)
        return
    with tempfile.TemporaryDirectory(prefix="retrovue-transcode-") as folder:
        run(Path(folder), options.seconds)


if __name__ == "__main__":
    main()
