"""Ingest benchmark: in-process PyAV sync vs one ffprobe per file, and an unchanged re-sync.

Run by hand: `.venv/bin/python bench/ingest.py [-n 2000]`. Targets on two cores:
first-sync rate / ffprobe rate >= 5, and re-sync >= 5000 files/s at N=2000.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from retrovue.domain.sync import DEFAULT_WORKERS
from retrovue.infra.bootstrap import open_station

CHAPTERS = ";FFMETADATA1\n" + "".join(
    f"[CHAPTER]\nTIMEBASE=1/1000\nSTART={s}\nEND={e}\ntitle=Part {i}\n"
    for i, (s, e) in enumerate(((0, 1000), (1000, 2000), (2000, 3000)), 1)
)


def ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def make_seed(path: Path, seconds: float, chapters: bool) -> None:
    """One real clip from lavfi; the N files are copies of a handful of these."""
    args = [ffmpeg(), "-v", "error", "-y", "-f", "lavfi"]
    args += ["-i", f"testsrc=size=96x72:rate=25:duration={seconds}"]
    args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    if chapters:
        meta = path.with_suffix(".txt")
        meta.write_text(CHAPTERS)
        args += ["-i", str(meta), "-map_chapters", "2", "-map", "0:v", "-map", "1:a"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", str(path)]
    subprocess.run(args, check=True, stdin=subprocess.DEVNULL)


def make_library(root: Path, count: int) -> list[Path]:
    seeds = []
    for i in range(8):
        seed = root / f"seed{i}.mkv"
        make_seed(seed, 1.0 + (i % 3), chapters=i < 2)
        seeds.append(seed)
    files = []
    for n in range(count):
        show, episode = divmod(n, 50)
        target = root / "lib" / f"Show {show:03d}" / "Season 01"
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"Show {show:03d} - S01E{episode + 1:02d} - Episode {n}.mkv"
        shutil.copyfile(seeds[n % len(seeds)], path)
        files.append(path)
    return files


def ffprobe_rate(files: list[Path], workers: int) -> float:
    """One ffprobe process per file, as many at once as the sync has workers."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        sys.exit("ffprobe not found on PATH")
    argv = [ffprobe, "-v", "error", "-show_format", "-show_streams", "-show_chapters"]

    def one(path: Path) -> None:
        subprocess.run(
            [*argv, "-of", "json", str(path)],
            check=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, files))
    return len(files) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=2000, help="number of media files")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rv-bench-") as scratch:
        root = Path(scratch)
        made = time.perf_counter()
        files = make_library(root, args.n)
        print(f"made {len(files)} files in {time.perf_counter() - made:.1f} s")
        station = open_station(f"sqlite:///{root / 'bench.db'}")
        try:
            station.library.add_source("Bench", "filesystem", [str(root / "lib")])
            start = time.perf_counter()
            first = station.library.sync("Bench")
            first_rate = len(files) / (time.perf_counter() - start)
            assert first["probed"] == len(files), first["failures"][:3]
            start = time.perf_counter()
            again = station.library.sync("Bench")
            resync_rate = len(files) / (time.perf_counter() - start)
            assert again["skipped"] == len(files)
        finally:
            station.close()
        subprocess_rate = ffprobe_rate(files, args.workers)
    print(f"workers: {args.workers}")
    print(f"(a) first sync (probe + nfo + write): {first_rate:8.1f} files/s")
    print(f"(b) ffprobe, one process per file:    {subprocess_rate:8.1f} files/s")
    print(f"    a/b = {first_rate / subprocess_rate:.1f}  (target >= 5)")
    print(f"(c) re-sync, unchanged library:       {resync_rate:8.1f} files/s  (target >= 5000)")


if __name__ == "__main__":
    main()
