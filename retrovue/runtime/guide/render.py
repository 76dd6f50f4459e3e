"""Draws the guide still with Pillow: a fixed header strip over every channel's row."""

from __future__ import annotations

import logging
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PIL import Image, ImageDraw, ImageFont

from retrovue.runtime.clients.m3u import logo_file
from retrovue.runtime.guide.layout import Cell, GuideLayout, Row

log = logging.getLogger(__name__)

ELLIPSIS: Final = "…"
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
RGB = tuple[int, int, int]

BACKGROUND: Final[RGB] = (0x0A, 0x12, 0x3C)
TITLE_BAR: Final[RGB] = (0x1B, 0x2E, 0x8C)
RULER: Final[RGB] = (0x24, 0x3C, 0xB0)
CHANNEL: Final[RGB] = (0x12, 0x1F, 0x66)
ENTRY: Final[RGB] = (0x14, 0x26, 0x78)
FILLER: Final[RGB] = (0x10, 0x1A, 0x50)
NOW: Final[RGB] = (0x1E, 0x7A, 0xC8)
MARKER: Final[RGB] = (0xFF, 0xD4, 0x00)
TEXT: Final[RGB] = (0xFF, 0xFF, 0xFF)
STATION: Final[RGB] = (0xFF, 0xE0, 0x40)
DIM: Final[RGB] = (0xB8, 0xC4, 0xF0)


@dataclass(frozen=True, slots=True)
class Geometry:
    """Where things go on a `width` x `height` screen; measures are for 720 lines, scaled."""

    width: int
    height: int

    def _px(self, at_720: int) -> int:
        return round(at_720 * self.height / 720)

    @property
    def title_h(self) -> int:
        return self._px(72)

    @property
    def head_h(self) -> int:
        """The fixed strip: title bar and time ruler (even, so a 4:2:0 crop splits there)."""
        return (self._px(112) + 1) // 2 * 2

    @property
    def row_h(self) -> int:
        return self._px(76)

    @property
    def view_h(self) -> int:
        """Screen lines left for the rows under the header."""
        return self.height - self.head_h

    @property
    def channel_w(self) -> int:
        return round(self.width * 288 / 1280)

    @property
    def pad(self) -> int:
        """Inside a box, text keeps this far from its edges."""
        return self._px(10)

    @property
    def gap(self) -> int:
        return max(self._px(3), 2)

    def x_at(self, fraction: float) -> int:
        return self.channel_w + round(fraction * (self.width - self.channel_w))


def printable(text: str) -> str:
    """`text` without control, format or unassigned characters (which the shaper may refuse)
    and on one line."""
    kept = (" " if ch.isspace() else ch for ch in text if unicodedata.category(ch)[0] != "C"
            or ch.isspace())  # fmt: skip
    return " ".join("".join(kept).split())


def fit(text: str, font: Font, width: float) -> str:
    """`text` (made `printable`) as drawn in `width` pixels: whole if it fits, else the
    longest start that fits with an ellipsis, else nothing."""
    text = printable(text)
    if font.getlength(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if font.getlength(text[:middle].rstrip() + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle - 1
    if low == 0:
        return ELLIPSIS if font.getlength(ELLIPSIS) <= width else ""
    return text[:low].rstrip() + ELLIPSIS


class GuideRenderer:
    """Draws layouts for one screen size; fonts and logos are loaded once and kept."""

    def __init__(self, width: int, height: int, font_path: Path | None) -> None:
        self.geometry = Geometry(width, height)
        self._font_path = font_path
        self._fonts: dict[int, Font] = {}
        self._logos: dict[tuple[str, int | None], Image.Image | None] = {}
        self._warned: set[str] = set()

    def _warn_once(self, key: str, message: str, *args: object) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message, *args)

    def font(self, at_720: int) -> Font:
        size = max(round(at_720 * self.geometry.height / 720), 8)
        if size not in self._fonts:
            self._fonts[size] = self._load_font(size)
        return self._fonts[size]

    def _load_font(self, size: int) -> Font:
        if self._font_path is not None:
            try:
                return ImageFont.truetype(str(self._font_path), size)
            except OSError as error:
                self._warn_once(
                    "font",
                    "guide font %s unreadable (%s): drawn with Pillow's default",
                    self._font_path,
                    error,
                )
        else:
            self._warn_once("font", "no font found for the guide: drawn with Pillow's default")
        return ImageFont.load_default(size)

    def logo(self, path: str) -> Image.Image | None:
        """The logo scaled into its box, or None (warned once) when it cannot be read; a file
        that changes is read again."""
        key: tuple[str, int | None]
        try:
            key = (path, os.stat(path).st_mtime_ns)
        except (OSError, ValueError):
            key = (path, None)
        if key not in self._logos:
            self._logos[key] = self._load_logo(path)
        return self._logos[key]

    def _load_logo(self, path: str) -> Image.Image | None:
        file = logo_file(path)
        if file is None:
            self._warn_once(path, "channel logo %s is not a local image: drawn without it", path)
            return None
        box = (self.geometry.row_h, self.geometry.row_h - 2 * self.geometry.pad)
        try:
            with Image.open(file) as image:
                logo = image.convert("RGBA")
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            self._warn_once(path, "channel logo %s unreadable (%s): drawn without it", path, error)
            return None
        logo.thumbnail(box, Image.Resampling.LANCZOS)
        return logo

    def render(self, layout: GuideLayout) -> Image.Image:
        """The still: the header strip, every row, and (when the rows overflow the screen) the
        first screenful of rows again, so a scroll that wraps around never shows a seam."""
        g = self.geometry
        rows_h = max(len(layout.rows), 1) * g.row_h
        scrolls = rows_h > g.view_h
        height = g.head_h + rows_h + g.view_h if scrolls else g.height
        sheet = Image.new("RGB", (g.width, height), BACKGROUND)
        draw = ImageDraw.Draw(sheet)
        self._header(draw, layout)
        for index, row in enumerate(layout.rows):
            self._row(sheet, draw, row, g.head_h + index * g.row_h)
        if scrolls:
            first = sheet.crop((0, g.head_h, g.width, g.head_h + g.view_h))
            sheet.paste(first, (0, g.head_h + rows_h))
        return sheet

    def _header(self, draw: ImageDraw.ImageDraw, layout: GuideLayout) -> None:
        g = self.geometry
        draw.rectangle((0, 0, g.width, g.title_h), fill=TITLE_BAR)
        big = self.font(40)
        middle = g.title_h // 2
        station = fit(layout.station, big, g.width * 0.7)
        draw.text((g.pad * 3, middle), station, font=big, fill=STATION, anchor="lm")
        draw.text((g.width - g.pad * 3, middle), layout.clock, font=big, fill=TEXT, anchor="rm")
        draw.rectangle((0, g.title_h, g.width, g.head_h - 1), fill=RULER)
        small = self.font(24)
        ruler_middle = (g.title_h + g.head_h) // 2
        draw.text((g.pad * 2, ruler_middle), "Channel", font=small, fill=TEXT, anchor="lm")
        for index, tick in enumerate(layout.ticks):
            x = g.x_at(index / len(layout.ticks))
            draw.line((x, g.title_h, x, g.head_h - 1), fill=BACKGROUND, width=g.gap)
            draw.text((x + g.pad, ruler_middle), tick, font=small, fill=TEXT, anchor="lm")
        marker = g.x_at(layout.now)
        draw.polygon(
            [(marker - g.pad, g.title_h), (marker + g.pad, g.title_h), (marker, g.title_h + g.pad)],
            fill=MARKER,
        )

    def _row(self, sheet: Image.Image, draw: ImageDraw.ImageDraw, row: Row, top: int) -> None:
        g = self.geometry
        bottom = top + g.row_h - g.gap
        draw.rectangle((0, top, g.channel_w - g.gap - 1, bottom - 1), fill=CHANNEL)
        x = g.pad * 2
        logo = self.logo(row.logo) if row.logo else None
        if logo is not None:
            sheet.paste(logo, (x, (top + bottom - logo.height) // 2), logo)
            x += logo.width + g.pad
        room = g.channel_w - g.gap - g.pad - x
        number, name = self.font(26), self.font(22)
        draw.text((x, top + g.pad), fit(str(row.number), number, room), font=number,
                  fill=STATION, anchor="lt")  # fmt: skip
        draw.text((x, bottom - g.pad), fit(row.name, name, room), font=name, fill=TEXT,
                  anchor="lb")  # fmt: skip
        for cell in row.cells:
            self._cell(draw, cell, top, bottom)

    def _cell(self, draw: ImageDraw.ImageDraw, cell: Cell, top: int, bottom: int) -> None:
        g = self.geometry
        left = g.x_at(cell.left)
        right = g.x_at(cell.right) - g.gap  # the gap between boxes belongs to the left one
        if right <= left:
            return
        fill = NOW if cell.now else FILLER if cell.filler else ENTRY
        draw.rectangle((left, top, right - 1, bottom - 1), fill=fill)
        room = right - left - 2 * g.pad
        if room <= 0:
            return
        title_font, when_font = self.font(24), self.font(18)
        title = fit(cell.title, title_font, room)
        draw.text((left + g.pad, top + g.pad), title, font=title_font, fill=TEXT, anchor="lt")
        if cell.when and when_font.getlength(cell.when) <= room:  # a time is whole or absent
            draw.text(
                (left + g.pad, bottom - g.pad), cell.when, font=when_font, fill=DIM, anchor="lb"
            )
