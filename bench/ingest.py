"""Ingest benchmark: a folder library, or a Jellyfin or Emby one (the test suite's fake server).

Run by hand: `.venv/bin/python bench/ingest.py [-n 2000] [--source filesystem|jellyfin|emby]`.
Folders: in-process PyAV sync (which measures each file's loudness through one ffmpeg pass)
vs one ffprobe per file, and vs one ffprobe and one ebur128 pass per file (the same work), and
an unchanged re-sync (target >= 5000 files/s at N=2000). Servers: a first and an unchanged
sync in items/s, each against a floor measured in the same run: httpx paging through the same
answers (the same requests, same page size) and nothing else.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from retrovue.domain.measure import AIRED_DOWNMIX, INFO
from retrovue.domain.sources.mediabrowser import FULL_FIELDS, PLAYABLE_TYPES
from retrovue.domain.sync import DEFAULT_WORKERS
from retrovue.ffmpeg import resolve_ffmpeg
from retrovue.infra.bootstrap import open_station

# The fake Jellyfin and Emby servers live with the tests that drive them.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration" / "library"))

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


def ffprobe_rate(files: list[Path], workers: int, loudness: bool = False) -> float:
    """One ffprobe process per file, as many at once as the sync has workers; with
    `loudness`, then one ffmpeg EBU R128 pass over its sound too (the work a first sync
    does: it measures every file's loudness at ingest)."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        sys.exit("ffprobe not found on PATH")
    argv = [ffprobe, "-v", "error", "-show_format", "-show_streams", "-show_chapters"]
    # The station's ffmpeg and the sync's own measurement (one stereo file: one stream).
    level = [resolve_ffmpeg(), "-nostdin", "-hide_banner", *INFO, "-vn", "-sn", "-dn", "-i"]
    graph = f"[0:a:0]{AIRED_DOWNMIX},ebur128=peak=true:framelog=verbose[m0]"

    def one(path: Path) -> None:
        run = functools.partial(
            subprocess.run, check=True, capture_output=True, stdin=subprocess.DEVNULL
        )
        run([*argv, "-of", "json", str(path)])
        if loudness:
            run([*level, str(path), "-filter_complex", graph, "-map", "[m0]", "-f", "null", "-"])

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, files))
    return len(files) / (time.perf_counter() - start)


def server_bench(flavour: str, count: int, repeat: int) -> None:
    """Medians of `repeat` runs: first syncs into fresh databases, unchanged re-syncs, and
    the two floors, interleaved so that a burst of load on the machine hits each alike."""
    from fake_mediabrowser import API_KEY, FakeMediaServer
    from mediabrowser_library import build

    movies = count // 10
    episodes = (count - movies) // 40
    server = FakeMediaServer(flavour, build(shows=10, seasons=4, episodes=episodes, movies=movies))
    total = len(server.library.playable())
    first, again, full, light = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="rv-bench-") as scratch:
        for run in range(repeat):
            station = open_station(f"sqlite:///{Path(scratch) / f'bench{run}.db'}")
            try:
                station.library.add_source("Bench", flavour, url=server.url, token=API_KEY)
                start = time.perf_counter()
                report = station.library.sync("Bench")
                first.append(total / (time.perf_counter() - start))
                assert report["added"] == total, report
                full.append(total / paging(server, flavour, API_KEY, [{"Fields": FULL_FIELDS}]))
                served = server.full_records_served
                start = time.perf_counter()
                report = station.library.sync("Bench")
                again.append(total / (time.perf_counter() - start))
                # The re-sync read no record in full.
                assert report["skipped"] == total and server.full_records_served == served
                # What it asked: every id and Etag, then what was saved since the last sync.
                since = station.library.get_source("Bench")["synced_since"]
                dated = {"Fields": FULL_FIELDS, "MinDateLastSaved": str(since)}
                light.append(total / paging(server, flavour, API_KEY, [{"Fields": "Etag"}, dated]))
            finally:
                station.close()
    server.close()
    a, b, c, d = (statistics.median(x) for x in (first, full, again, light))
    print(f"{flavour}: {total} items (movies {movies}, episodes {total - movies}), {repeat} runs")
    print(f"(a) first sync:                      {a:9.1f} items/s")
    print(f"(b) floor, paging the full records:  {b:9.1f} items/s   a/b = {a / b:.3f}")
    print(f"(c) unchanged re-sync:               {c:9.1f} items/s")
    print(f"(d) floor, paging ids and Etags:     {d:9.1f} items/s   c/d = {c / d:.3f}")


def paging(server: object, flavour: str, key: str, queries: list[dict[str, str]]) -> float:
    """Seconds to page every library's movies and episodes with httpx alone (JSON decoded to
    read the total), the way the sync's own listing asks."""
    headers = (
        {"Authorization": f'MediaBrowser Token="{key}"'}
        if flavour == "jellyfin"
        else {"X-Emby-Token": key}
    )
    base = str(getattr(server, "url"))  # noqa: B009 (the fake is imported lazily)
    folders_path = (
        "/Library/VirtualFolders" if flavour == "jellyfin" else "/Library/VirtualFolders/Query"
    )
    start = time.perf_counter()
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        folders = http.get(folders_path).json()
        folders = folders if isinstance(folders, list) else folders["Items"]
        for folder in folders:
            if folder.get("CollectionType") not in ("movies", "tvshows"):
                continue
            for query in queries:
                page_through(http, folder["ItemId"], query)
    return time.perf_counter() - start


def page_through(http: httpx.Client, parent: str, query: dict[str, str]) -> None:
    offset, known = 0, None
    while known is None or offset < known:
        page = http.get(
            "/Items",
            params={
                "ParentId": parent,
                "Recursive": "true",
                "IncludeItemTypes": PLAYABLE_TYPES,
                **query,
                "EnableUserData": "false",
                "SortBy": "DateCreated,SortName",
                "SortOrder": "Ascending",
                "Limit": "500",
                "StartIndex": str(offset),
            },
        ).json()
        known = page["TotalRecordCount"]
        offset += len(page["Items"])
        if not page["Items"]:
            break


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=2000, help="number of media files")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument(
        "--source", choices=("filesystem", "jellyfin", "emby"), default="filesystem"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per server measure")
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.source != "filesystem":
        server_bench(args.source, args.n, args.repeat)
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return
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
        measured_rate = ffprobe_rate(files, args.workers, loudness=True)
    print(f"workers: {args.workers}")
    print(f"(a) first sync (probe, loudness, nfo, write): {first_rate:8.1f} files/s")
    print(f"(b) ffprobe, one process per file:            {subprocess_rate:8.1f} files/s")
    print(f"    a/b = {first_rate / subprocess_rate:.2f}")
    print(f"(b2) ffprobe then an ebur128 pass, per file:  {measured_rate:8.1f} files/s")
    print(f"    a/b2 = {first_rate / measured_rate:.2f}")
    print(f"(c) re-sync, unchanged library:       {resync_rate:8.1f} files/s  (target >= 5000)")


if __name__ == "__main__":
    main()
