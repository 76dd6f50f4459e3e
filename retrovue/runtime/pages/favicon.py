"""The station's favicon: a small television set, drawn here (no file to ship, no network)."""

from __future__ import annotations

import functools
import struct
import zlib
from typing import Final

SIZE: Final = 32
CABINET: Final = (0xFF, 0xCC, 0x33, 0xFF)  # the pages' heading colour
SCREEN: Final = (0x1B, 0x21, 0x30, 0xFF)
GLOW: Final = (0x9E, 0xCB, 0xFF, 0xFF)
CLEAR: Final = (0, 0, 0, 0)


def _pixel(x: int, y: int) -> tuple[int, int, int, int]:
    if 7 <= y <= 28 and 2 <= x <= 29:
        corner = min(x - 2, 29 - x) + min(y - 7, 28 - y)
        if corner < 2:
            return CLEAR  # rounded corners
        if 10 <= y <= 25 and 5 <= x <= 26:
            return GLOW if (y == 13 and 8 <= x <= 18) or (y == 16 and 8 <= x <= 14) else SCREEN
        return CABINET
    # Two antennae from the top of the cabinet.
    if 1 <= y <= 6 and (x == 9 + (y - 1) or x == 22 - (y - 1)):
        return CABINET
    return CLEAR


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


@functools.cache
def favicon_png() -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(_pixel(x, y)) for x in range(SIZE)) for y in range(SIZE)
    )
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


@functools.cache
def favicon_ico() -> bytes:
    """An ICO holding the PNG (every browser since 2010 reads PNG inside ICO)."""
    png = favicon_png()
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(png), 6 + 16)
    return directory + entry + png
