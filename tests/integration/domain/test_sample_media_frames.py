"""The demo's on-screen text, rendered by ffmpeg and decoded: every line fits the 320x180 frame."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import av
import pytest

from retrovue.domain.sample_media import SIZE, Maker, SampleFile, demo_plan
from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.places import find_font

WIDTH, HEIGHT = (int(n) for n in SIZE.split("x"))
EDGE = (0, 1, WIDTH - 2, WIDTH - 1)  # the outermost columns, left and right
TEXT_ROWS = range(8, 110)  # the lines sit at y = 20, 46, 72
CHANNELS = [(2, "Retro Two"), (3, "Movie Three"), (4, "Kids Four")]


def _edges(path: Path) -> list[int]:
    """The edge columns' pixels (R, G, B flattened) over the text rows of the first frame."""
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0)).reformat(format="rgb24")
    plane = frame.planes[0]
    data, stride = bytes(plane), plane.line_size
    return [data[y * stride + x * 3 + c] for y in TEXT_ROWS for x in EDGE for c in range(3)]


class Frames:
    """Renders one second of an item the way the demo makes it, and the same without text."""

    def __init__(self, folder: Path) -> None:
        font = find_font()
        if font is None:
            pytest.fail("no font found: the demo's text would not be drawn at all")
        self.maker = Maker(Ffmpeg(resolve_ffmpeg()), font, folder)
        self.folder = folder
        self.bare: dict[str, list[int]] = {}
        self.made = 0

    def _render(self, item: SampleFile, name: str) -> list[int]:
        out = self.folder / f"{name}.mkv"
        self.maker.encode(item, 1, out)
        return _edges(out)

    def text_reaches_the_edge(self, item: SampleFile) -> bool:
        """Whether the text (or its box) changes the frame's outermost columns."""
        if item.colour not in self.bare:
            blank = dataclasses.replace(item, lines=())
            self.bare[item.colour] = self._render(blank, f"bare-{item.colour}")
        self.made += 1
        drawn = self._render(item, f"text-{self.made}")
        bare = self.bare[item.colour]
        # Compression moves a flat edge by a few levels; the text box darkens it by ~60.
        return max(abs(a - b) for a, b in zip(drawn, bare, strict=True)) > 24


@pytest.mark.slow
def test_every_line_of_demo_text_fits_inside_the_frame(tmp_path: Path) -> None:
    frames = Frames(tmp_path)
    # The oracle sees overflow: the single-line closing bumper the demo used to make.
    too_wide = SampleFile("x.mkv", "bumper", 5, ("And now back to our programme",), "black")
    assert frames.text_reaches_the_edge(too_wide)
    texts = {item.lines: item for item in demo_plan(CHANNELS) if item.lines}
    overflowing = [lines for lines, item in texts.items() if frames.text_reaches_the_edge(item)]
    assert overflowing == []
