"""Picture subtitles for the matrix: a word drawn into a Blu-ray (PGS) stream written here, and
its DVD (VobSub) conversion by ffmpeg, each muxed beside a kind's video and sound.

ffmpeg has no PGS encoder, and no encoder turns text into subtitle pictures, so the PGS
stream is written by hand: one display set that shows the word, one that clears it.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from media_kinds import Kind, MediaMaker
from PIL import Image, ImageDraw, ImageFont

from retrovue.ffmpeg import Ffmpeg

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
PTS_HZ = 90_000
# Segment types of HDMV presentation graphics.
PDS, ODS, PCS, WDS, END = 0x14, 0x15, 0x16, 0x17, 0x80
EPOCH_START, NORMAL = 0x80, 0x00
FIRST_AND_LAST = 0xC0
# Palette entries as (Y, Cr, Cb, alpha), BT.709 studio range: see-through, white, black.
CLEAR, INK, EDGE = 0, 1, 2
PALETTE = {CLEAR: (16, 128, 128, 0), INK: (235, 128, 128, 255), EDGE: (16, 128, 128, 255)}


@dataclass(frozen=True)
class Cue:
    """`text` shown on a `width` x `height` subtitle canvas from `start_s` to `end_s`."""

    text: str
    start_s: float
    end_s: float
    width: int
    height: int


def _glyphs(text: str, canvas_height: int) -> Image.Image:
    """The word in white with a black edge, as palette indices (a mode 'L' picture)."""
    size = canvas_height // 12
    font = ImageFont.truetype(str(FONT), size)
    edge = max(size // 16, 2)
    left, top, right, bottom = font.getbbox(text, stroke_width=edge)
    box = (right - left + 2, bottom - top + 2)
    inked = Image.new("L", box)
    ImageDraw.Draw(inked).text((1 - left, 1 - top), text, font=font, fill=255)
    edged = Image.new("L", box)
    ImageDraw.Draw(edged).text(
        (1 - left, 1 - top), text, font=font, fill=255, stroke_width=edge, stroke_fill=255
    )
    indices = bytes(
        INK if a > 127 else EDGE if b > 127 else CLEAR
        for a, b in zip(inked.tobytes(), edged.tobytes(), strict=True)
    )
    return Image.frombytes("L", box, indices)


def _runs(row: list[int]) -> Iterator[tuple[int, int]]:
    start = 0
    while start < len(row):
        end = start
        while end < len(row) and row[end] == row[start] and end - start < 16383:
            end += 1
        yield row[start], end - start
        start = end


def rle(picture: Image.Image) -> bytes:
    """The PGS run-length coding of a picture of palette indices, line by line."""
    out = bytearray()
    width, height = picture.size
    pixels = list(picture.tobytes())
    for y in range(height):
        for colour, length in _runs(pixels[y * width : (y + 1) * width]):
            if colour != 0 and length < 3:
                out += bytes([colour]) * length
            elif colour == 0:
                out += b"\0" + (
                    bytes([length]) if length < 64 else struct.pack(">H", 0x4000 | length)
                )
            elif length < 64:
                out += b"\0" + bytes([0x80 | length, colour])
            else:
                out += b"\0" + struct.pack(">H", 0xC000 | length) + bytes([colour])
        out += b"\0\0"  # end of line
    return bytes(out)


def _segment(kind: int, pts_s: float, body: bytes) -> bytes:
    pts = round(pts_s * PTS_HZ)
    return b"PG" + struct.pack(">IIBH", pts, pts, kind, len(body)) + body


def _composition(cue: Cue, number: int, state: int, placed: tuple[int, int] | None) -> bytes:
    objects = b"" if placed is None else struct.pack(">HBBHH", 0, 0, 0, *placed)
    count = 0 if placed is None else 1
    return struct.pack(">HHBHBBBB", cue.width, cue.height, 0x10, number, state, 0, 0, count) + (
        objects
    )


def pgs(cue: Cue) -> bytes:
    """A .sup stream: the word centred near the canvas's foot from `start_s`, gone at `end_s`."""
    picture = _glyphs(cue.text, cue.height)
    w, h = picture.size
    x, y = (cue.width - w) // 2, cue.height - cue.height // 10 - h
    window = struct.pack(">BBHHHH", 1, 0, x, y, w, h)
    palette = b"".join(struct.pack(">BBBBB", i, *entry) for i, entry in PALETTE.items())
    data = struct.pack(">HH", w, h) + rle(picture)
    show = [
        _segment(PCS, cue.start_s, _composition(cue, 0, EPOCH_START, (x, y))),
        _segment(WDS, cue.start_s, window),
        _segment(PDS, cue.start_s, b"\0\0" + palette),
        _segment(
            ODS, cue.start_s, struct.pack(">HBB", 0, 0, FIRST_AND_LAST) + len(data).to_bytes(3)
            + data
        ),
        _segment(END, cue.start_s, b""),
    ]  # fmt: skip
    clear = [
        _segment(PCS, cue.end_s, _composition(cue, 1, NORMAL, None)),
        _segment(WDS, cue.end_s, window),
        _segment(END, cue.end_s, b""),
    ]
    return b"".join(show + clear)


@dataclass(frozen=True)
class Subtitled:
    """A kind's file with one picture subtitle track added: PGS as written, or converted to
    DVD subtitles (`dvd`), tagged `language`."""

    base: Kind
    cue: Cue
    language: str
    dvd: bool = False


def subtitled(media: MediaMaker, ffmpeg: Ffmpeg, made: Subtitled) -> Path:
    """The file for `made`, built once beside the matrix's own files."""
    source = media.path(made.base)
    digest = hashlib.sha1(repr(made).encode()).hexdigest()[:10]
    target = source.with_name(f"{made.base.name}-{'dvd' if made.dvd else 'pgs'}-{digest}.mkv")
    if target.exists():
        return target
    sup = target.with_suffix(".sup")
    sup.write_bytes(pgs(made.cue))
    partial = target.with_name(f".partial-{target.name}")
    added = 1 if made.base.subtitles else 0  # the kind's own text track stays first
    # -copyts keeps the stream's own times (else its first cue would move to 0); the clearing
    # display set ends the cue it follows (-fix_sub_duration), which DVD subtitles need.
    ffmpeg.run(
        ["-copyts", "-i", str(source), "-fix_sub_duration", "-f", "sup",
         "-i", str(sup), "-map", "0:v", "-map", "0:a?",
         "-map", "0:s?", "-map", "1:s", "-c", "copy",
         *((f"-c:s:{added}", "dvdsub") if made.dvd else ()),
         f"-metadata:s:s:{added}", f"language={made.language}", "-f", "matroska", str(partial)]
    )  # fmt: skip
    partial.replace(target)
    sup.unlink()
    return target
