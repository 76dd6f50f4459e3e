"""Card text reaches the picture as written: '%', ':', quotes and backslashes are text."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.places import find_font
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import OutputProfile


def lit_rows(path: Path) -> int:
    """Rows of the first decoded picture with text on them (bright pixels on the card)."""
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
    plane = frame.reformat(format="gray").planes[0]
    data, stride = bytes(plane), plane.line_size
    rows = (data[row * stride : row * stride + frame.width] for row in range(frame.height))
    return sum(1 for row in rows if max(row) > 200)


@pytest.mark.parametrize("line", ["100% Hits", "Storm: 100% of area", r"It's a \"test\" \ %{n}"])
def test_a_line_with_filter_syntax_is_drawn_like_plain_text(tmp_path: Path, line: str) -> None:
    font = find_font()
    assert font is not None, "cards need a font (fonts-dejavu-core)"
    factory = ProducerFactory(OutputProfile(), tmp_path / "cards", font)
    ffmpeg = Ffmpeg(resolve_ffmpeg())
    drawn = {}
    for text in (line, "Plain words"):
        args = factory.card("emergency", 0.2, (text,))
        out = tmp_path / f"{len(drawn)}.ts"
        ffmpeg.run([*args[: args.index("-f", 8)], "-frames:v", "1", "-f", "mpegts", str(out)])
        drawn[text] = lit_rows(out)
    assert drawn["Plain words"] > 10
    assert drawn[line] >= drawn["Plain words"] * 0.8, drawn
