"""The favicon is a real icon: an ICO whose PNG decodes to a 32-pixel television."""

from __future__ import annotations

import io
import struct

import av

from retrovue.runtime.pages.favicon import CABINET, CLEAR, SCREEN, favicon_ico


def test_the_favicon_is_an_ico_holding_a_32_pixel_png_that_decodes() -> None:
    data = favicon_ico()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, 1)
    width, height, *_, size, offset = struct.unpack("<BBBBHHII", data[6:22])
    assert (width, height) == (32, 32)
    png = data[offset : offset + size]
    assert png.startswith(b"\x89PNG")
    with av.open(io.BytesIO(png), format="png_pipe") as container:
        frame = next(container.decode(video=0)).reformat(format="rgba")
    assert (frame.width, frame.height) == (32, 32)
    plane = frame.planes[0]
    pixels = bytes(plane)

    def pixel(x: int, y: int) -> tuple[int, ...]:
        at = y * plane.line_size + 4 * x
        return tuple(pixels[at : at + 4])

    assert pixel(15, 8) == CABINET  # the cabinet's top edge
    assert pixel(15, 20) == SCREEN
    assert pixel(0, 0) == CLEAR
