"""The demo library: test-card shows, a movie, commercials, bumpers and station IDs, made by ffmpeg.

Every file runs its full, believable length (22-minute episodes, a 90-minute movie) and the
catalog will read that length from the file itself. Generation stays cheap without cutting
length: tiny frames at two frames a second, and one encoded minute per long item that the
concat demuxer repeats by stream copy (no re-encode) to the full running time.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

import av

from retrovue.errors import MediaError
from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.places import find_font

Kind = Literal["program", "commercial", "bumper", "station_id"]

SIZE: Final = "320x180"
FPS: Final = 2
SAMPLE_RATE: Final = 32000  # 60 s is exactly 1875 AAC frames: repeated minutes join cleanly
MINUTE: Final = 60
# Each step makes at most one minute of tiny video or stream-copies a file: seconds, normally.
# Far past that, ffmpeg is stuck (a hung disk, a device prompt), not slow.
FFMPEG_TIMEOUT: Final = 600.0


@dataclass(frozen=True)
class SampleFile:
    """One file of the demo library and what is drawn on it."""

    relpath: str
    kind: Kind
    seconds: int
    lines: tuple[str, ...]
    colour: str = "navy"
    chapters: tuple[int, ...] = ()
    nfo: str | None = None


@dataclass
class SampleLibrary:
    """What `generate` made or found: files per kind and the channel logos."""

    root: Path
    files: dict[Kind, list[Path]] = field(default_factory=dict)
    logos: list[Path] = field(default_factory=list)
    made: int = 0
    kept: int = 0


def file_seconds(path: Path) -> float | None:
    """The container's duration, or None when the file cannot be read."""
    try:
        with av.open(str(path)) as container:
            return None if container.duration is None else container.duration / av.time_base
    except (av.FFmpegError, OSError):
        return None


def _drawtext(text: str, font: Path | None, y: str, size: int) -> str:
    if font is None:
        return ""
    quoted = text.replace("\\", "\\\\").replace("'", "\u2019").replace(":", "\\:")
    fontfile = str(font).replace(":", "\\:")
    return (
        f",drawtext=fontfile='{fontfile}':text='{quoted}':fontsize={size}:fontcolor=white"
        f":box=1:boxcolor=black@0.6:boxborderw=4:x=(w-text_w)/2:y={y}"
    )


class Maker:
    """Makes sample files with one ffmpeg and font; the tone track is encoded once per length.

    Every item carries the same 1 kHz line-up tone, so its AAC is made once per running time
    and muxed into each file by stream copy: the video, tiny and nearly still, is the only
    per-file encode.
    """

    def __init__(self, ffmpeg: Ffmpeg, font: Path | None, scratch: Path) -> None:
        self.ffmpeg = ffmpeg
        self.font = font
        self.scratch = scratch
        self._tones: dict[int, Path] = {}

    def tone(self, seconds: int) -> Path:
        if seconds not in self._tones:
            path = self.scratch / f"tone-{seconds}.mka"
            source = f"sine=f=1000:r={SAMPLE_RATE}:d={seconds},volume=0.05"
            self.ffmpeg.run(
                ["-f", "lavfi", "-i", source, "-c:a", "aac", "-ac", "1", "-b:a", "24k", str(path)],
                timeout=FFMPEG_TIMEOUT,
            )
            self._tones[seconds] = path
        return self._tones[seconds]

    def encode(self, item: SampleFile, seconds: int, out: Path) -> None:
        text = "".join(
            _drawtext(line, self.font, f"{20 + 26 * index}", 18 if index == 0 else 13)
            for index, line in enumerate(item.lines)
        )
        video = f"smptehdbars=s={SIZE}:r={FPS}:d={seconds},hue=h={_hue(item.colour)}{text}"
        self.ffmpeg.run(
            ["-f", "lavfi", "-i", video, "-i", str(self.tone(seconds)),
             "-map", "0:v", "-map", "1:a",
             "-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage",
             "-g", str(5 * FPS), "-pix_fmt", "yuv420p", "-c:a", "copy",
             # AAC priming would make each minute 32 ms long; cut to the exact length.
             "-t", str(seconds), str(out)],
            timeout=FFMPEG_TIMEOUT,
        )  # fmt: skip

    def make(self, item: SampleFile, target: Path) -> None:
        """Make one file through a temporary name, so a half-made file never stays."""
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="rv-sample-", dir=target.parent) as scratch:
            work = Path(scratch)
            partial = work / f"whole{target.suffix}"
            if item.seconds <= MINUTE and not item.chapters:
                self.encode(item, item.seconds, partial)
            else:
                if item.seconds % MINUTE:
                    raise MediaError(f"{item.relpath}: long sample items run whole minutes")
                minute = work / "minute.mkv"
                self.encode(item, MINUTE, minute)
                listing = work / "list.txt"
                quoted = str(minute).replace("'", "'\\''")
                listing.write_text(f"file '{quoted}'\n" * (item.seconds // MINUTE))
                meta = work / "meta.txt"
                meta.write_text(_metadata(item, item.seconds * 1000))
                self.ffmpeg.run(
                    ["-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(meta),
                     "-map", "0", "-map_metadata", "1", "-map_chapters", "1",
                     "-c", "copy", str(partial)],
                    timeout=FFMPEG_TIMEOUT,
                )  # fmt: skip
            partial.replace(target)

    def logo(self, number: int, name: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        text = _drawtext(str(number), self.font, "(h-text_h)/2-10", 64)
        text += _drawtext(name, self.font, "h-34", 16)
        source = f"color=c=0x{(number * 0x3F5A7) & 0xFFFFFF:06x}:s=200x200:d=1{text}"
        partial = target.with_name(f".{target.name}.part.png")
        self.ffmpeg.run(
            ["-f", "lavfi", "-i", source, "-frames:v", "1", str(partial)], timeout=FFMPEG_TIMEOUT
        )
        partial.replace(target)


def _hue(colour: str) -> int:
    return sum(colour.encode()) * 37 % 360


def _metadata(item: SampleFile, total_ms: int) -> str:
    title = item.lines[0].replace("=", "\\=").replace(";", "\\;").replace("#", "\\#")
    lines = [";FFMETADATA1", f"title={title}"]
    starts = [*item.chapters, item.seconds]
    for number, (start, end) in enumerate(itertools.pairwise(starts), 1):
        end_ms = total_ms if end == item.seconds else end * 1000
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start * 1000}", f"END={end_ms}"]
        lines.append(f"title=Act {number}")
    return "\n".join(lines) + "\n"


def generate(
    root: Path,
    plan: list[SampleFile],
    logos: list[tuple[int, str]],
    *,
    ffmpeg: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> SampleLibrary:
    """Make every file of `plan` under `root`, keeping those already made at the right length."""
    library = SampleLibrary(root)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".rv-tones-", dir=root) as scratch:
        maker = Maker(Ffmpeg(ffmpeg or resolve_ffmpeg()), find_font(), Path(scratch))
        for item in plan:
            _place(maker, library, item, progress)
        for number, name in logos:
            logo = root / "logos" / f"channel-{number}.png"
            if not logo.is_file():
                maker.logo(number, name, logo)
            library.logos.append(logo)
    return library


def _place(
    maker: Maker, library: SampleLibrary, item: SampleFile, progress: Callable[[str], None] | None
) -> None:
    target = library.root / item.relpath
    if item.nfo is not None:
        nfo = target.with_suffix(".nfo") if target.suffix else target / "tvshow.nfo"
        nfo.parent.mkdir(parents=True, exist_ok=True)
        if not nfo.is_file() or nfo.read_text(encoding="utf-8") != item.nfo:
            nfo.write_text(item.nfo, encoding="utf-8")
    if item.seconds == 0:
        return  # a show folder: only its tvshow.nfo
    length = file_seconds(target) if target.is_file() else None
    if length is not None and abs(length - item.seconds) < 2:
        library.kept += 1
    else:
        if progress is not None:
            progress(item.relpath)
        maker.make(item, target)
        library.made += 1
    library.files.setdefault(item.kind, []).append(target)


# --- the demo's contents ---------------------------------------------------------------------

SHOWS: Final = (
    ("Test Card Tonight", "sitcom", "TV-PG", "teal",
     ("Pilot", "The Colour Bars", "Tone Deaf", "Off Air")),
    ("The Bars Family", "sitcom", "TV-G", "orange",
     ("Moving Day", "Aspect Ratio", "Sync Loss", "Vertical Hold")),
    ("Signal Patrol", "kids", "TV-Y7", "green",
     ("Lost Carrier", "Ghost Image", "The Test Pattern", "Snow Day")),
)  # fmt: skip
EPISODE_SECONDS: Final = 22 * MINUTE
MOVIE_SECONDS: Final = 90 * MINUTE
SPOTS: Final = (
    ("Sparkle Cola", 30), ("Zoom Shoes", 30), ("Grandma's Pies", 30), ("Teletext Bank", 30),
    ("Crunchy Os", 15), ("Kwik Car Wash", 15), ("Moonlight Mattress", 15), ("Blip Batteries", 15),
)  # fmt: skip

# Into a break and out of it, each in its own folder (the demo tags them by folder). Two short
# lines each: one line "And now back to our programme" is wider than the 320-pixel frame.
BUMPERS: Final = (
    ("into-break", ("We'll be right back", "after these messages")),
    ("out-of-break", ("And now back to", "our programme")),
)


def _xml(root: str, fields: dict[str, str]) -> str:
    element = ET.Element(root)
    for tag, value in fields.items():
        ET.SubElement(element, tag).text = value
    ET.indent(element)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, "unicode") + "\n"


def demo_plan(channels: list[tuple[int, str]]) -> list[SampleFile]:
    """Three shows of four episodes, a movie, eight spots, two bumpers, an ID per channel."""
    plan: list[SampleFile] = []
    for show, genre, rating, colour, titles in SHOWS:
        folder = f"shows/{show}"
        plot = f"A {genre} told entirely in colour bars."
        fields = {"title": show, "plot": plot, "genre": genre.title(), "mpaa": rating}
        plan.append(SampleFile(folder, "program", 0, (), nfo=_xml("tvshow", fields)))
        for number, title in enumerate(titles, 1):
            aired = dt.date(1987, 9, 1) + dt.timedelta(weeks=number - 1)
            name = f"{show} - S01E{number:02d} - {title}"
            episode = {
                "title": title, "showtitle": show, "season": "1", "episode": str(number),
                "plot": f"{show}: {title}.", "aired": aired.isoformat(), "mpaa": rating,
            }  # fmt: skip
            plan.append(
                SampleFile(
                    f"{folder}/Season 01/{name}.mkv", "program", EPISODE_SECONDS,
                    (show, f"S01E{number:02d} {title}"), colour,
                    chapters=(0, 8 * MINUTE, 15 * MINUTE), nfo=_xml("episodedetails", episode),
                )
            )  # fmt: skip
    movie = {
        "title": "The Long Signal", "year": "1987", "mpaa": "PG", "genre": "Drama",
        "plot": "A lone transmitter keeps the test card on air through the longest night.",
    }  # fmt: skip
    plan.append(
        SampleFile(
            "movies/The Long Signal (1987)/The Long Signal (1987).mkv", "program", MOVIE_SECONDS,
            ("The Long Signal", "A RetroVue Feature Presentation"), "maroon",
            chapters=(0, 20 * MINUTE, 40 * MINUTE, 60 * MINUTE, 75 * MINUTE),
            nfo=_xml("movie", movie),
        )
    )  # fmt: skip
    for brand, seconds in SPOTS:
        plan.append(
            SampleFile(f"commercials/{brand} ({seconds}s).mkv", "commercial", seconds,
                       (brand, "Buy now!"), "purple")
        )  # fmt: skip
    for folder, lines in BUMPERS:
        name = " ".join(lines)
        plan.append(SampleFile(f"bumpers/{folder}/{name}.mkv", "bumper", 5, lines, "black"))
    for number, name in channels:
        plan.append(
            SampleFile(f"station_ids/channel-{number}/{name} ident.mkv", "station_id", 10,
                       (name, f"Channel {number}"), "blue")
        )  # fmt: skip
    return plan
