"""Real media for library tests: tiny ffmpeg-made clips laid out like an operator's library."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"

SHOW_NFO = """<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<tvshow>
  <title>The Show</title>
  <plot>A family, a house, a laugh track.</plot>
  <mpaa>US:TV-PG</mpaa>
  <genre>Comedy</genre>
  <genre>Sitcom</genre>
</tvshow>
"""

EPISODE_NFO = """<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<episodedetails>
  <title>The Pilot</title>
  <showtitle>The Show</showtitle>
  <season>1</season>
  <episode>1</episode>
  <plot>Everyone moves in.</plot>
  <aired>1986-09-01</aired>
</episodedetails>
"""

MOVIE_NFO = """<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<movie>
  <title>Big Movie</title>
  <year>1986</year>
  <plot>Things explode.</plot>
  <mpaa>Rated PG-13</mpaa>
  <genre>Action / Adventure</genre>
</movie>
https://www.themoviedb.org/movie/1
"""

CHAPTERS = ";FFMETADATA1\n" + "".join(
    f"[CHAPTER]\nTIMEBASE=1/1000\nSTART={start}\nEND={end}\ntitle={title}\n"
    for start, end, title in ((0, 1000, "Cold open"), (1000, 3000, "Act 1"))
)


def ffmpeg() -> str:
    """ffmpeg from PATH (Debian's), else the binary the imageio-ffmpeg wheel ships."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def ffprobe() -> str:
    """ffprobe from PATH; outside CI a machine without it skips, under CI it fails."""
    found = shutil.which("ffprobe")
    if found is None:
        if IN_CI:
            pytest.fail("ffprobe is missing under CI")
        pytest.skip("ffprobe not installed")
    return found


def ffprobe_duration_ms(path: Path) -> int:
    out = subprocess.run(
        [ffprobe(), "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    ).stdout
    return round(float(json.loads(out)["format"]["duration"]) * 1000)


def make_clip(
    path: Path, seconds: float = 2.0, *, chapters: bool = False, audio: bool = True
) -> Path:
    """A tiny h264 (+ aac) clip; with chapters at 0 s and 1 s when asked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    args = [ffmpeg(), "-v", "error", "-y", "-f", "lavfi"]
    args += ["-i", f"testsrc=size=96x72:rate=25:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    if chapters:
        meta = path.with_suffix(".chapters.txt")
        meta.write_text(CHAPTERS)
        args += ["-i", str(meta), "-map_chapters", str(2 if audio else 1)]
        args += ["-map", "0:v"] + (["-map", "1:a"] if audio else [])
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    args += ["-c:a", "aac"] if audio else []
    args += ["-shortest", str(path)]
    subprocess.run(args, check=True, stdin=subprocess.DEVNULL, capture_output=True)
    if chapters:
        path.with_suffix(".chapters.txt").unlink()
    return path


class Clips:
    """A few clips made once and copied wherever a test needs a file."""

    def __init__(self, folder: Path) -> None:
        self.chaptered = make_clip(folder / "chaptered.mkv", 3.0, chapters=True)
        self.plain = make_clip(folder / "plain.mkv", 2.0)
        self.spot = make_clip(folder / "spot.mp4", 1.5)
        self.silent = make_clip(folder / "silent.mkv", 1.0, audio=False)

    def copy(self, clip: Path, to: Path) -> Path:
        to.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(clip, to)
        return to


def build_library(root: Path, clips: Clips) -> dict[str, Path]:
    """`TV/` (a show with nfo files, a scene-named show, a movie, two broken files) and
    `Commercials/`, as an operator keeps them."""
    tv, ads = root / "TV", root / "Commercials"
    show = tv / "The Show"
    season = show / "Season 01"
    files = {
        "pilot": clips.copy(clips.chaptered, season / "The Show - S01E01 - Pilot.mkv"),
        "second": clips.copy(clips.plain, season / "The Show - S01E02 - The Second One.mkv"),
        "scene": clips.copy(clips.plain, tv / "Other Show" / "Other.Show.S02E05.720p.mkv"),
        "movie": clips.copy(clips.chaptered, tv / "Big Movie (1986)" / "Big Movie (1986).mkv"),
        "spot": clips.copy(clips.spot, ads / "Cola.mp4"),
        "silent": clips.copy(clips.silent, ads / "Silent Spot.mkv"),
    }
    (show / "tvshow.nfo").write_text(SHOW_NFO)
    (season / "The Show - S01E01 - Pilot.nfo").write_text(EPISODE_NFO)
    (tv / "Big Movie (1986)" / "movie.nfo").write_text(MOVIE_NFO)
    broken = tv / "Broken"
    broken.mkdir()
    files["zero"] = broken / "Zero.mkv"
    files["zero"].write_bytes(b"")
    data = clips.chaptered.read_bytes()
    files["truncated"] = broken / "Truncated.mkv"
    files["truncated"].write_bytes(data[: len(data) // 2])
    return {"tv": tv, "ads": ads, **files}
