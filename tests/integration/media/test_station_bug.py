"""The station bug: in the title-safe corner of programmes, at its opacity, never on spots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from air_oracles import grey_frames
from media_airing import SMALL, Airer
from media_kinds import KINDS, MediaMaker

from retrovue.ffmpeg import Ffmpeg
from retrovue.schedule_manager.airing import Presentation

pytestmark = pytest.mark.slow

MAGENTA = (255, 0, 255)
BUG_PX = 32


@pytest.fixture
def bug(ffmpeg: Ffmpeg, tmp_path: Path) -> Path:
    path = tmp_path / "bug.png"
    ffmpeg.run(["-f", "lavfi", "-i", f"color=c=0xff00ff:s={BUG_PX}x{BUG_PX}", "-frames:v", "1",
                "-pix_fmt", "rgba", str(path)])  # fmt: skip
    return path


def _rgb_at(frame: Any, x: int, y: int) -> tuple[int, int, int]:
    rgb = frame.reformat(format="rgb24")
    plane = rgb.planes[0]
    data = bytes(plane)
    at = y * plane.line_size + x * 3
    return data[at], data[at + 1], data[at + 2]


def _near(a: tuple[int, int, int], b: tuple[int, int, int], within: int = 40) -> bool:
    return all(abs(x - y) <= within for x, y in zip(a, b, strict=True))


def _bug_centre(position: str) -> tuple[int, int]:
    """Where the bug's middle must be: inside the title-safe area (5 % in from each edge)."""
    mx, my = round(SMALL.width * 0.05), round(SMALL.height * 0.05)
    x = mx + BUG_PX // 2 if position.endswith("left") else SMALL.width - mx - BUG_PX // 2
    y = my + BUG_PX // 2 if position.startswith("top") else SMALL.height - my - BUG_PX // 2
    return x, y


@pytest.mark.parametrize("position", ["bottom-right", "top-left"])
def test_the_bug_sits_in_the_title_safe_corner_of_programmes_and_never_on_spots(
    position: str, media: MediaMaker, air: Airer, bug: Path
) -> None:
    source = media.path(KINDS["anamorphic_480p_16x9"])
    look = Presentation(bug_path=str(bug), bug_position=position)
    x, y = _bug_centre(position)
    [(_, programme)] = list(grey_frames(air(source, look=look), skip_s=1.0))[:1]
    assert _near(_rgb_at(programme, x, y), MAGENTA)
    assert not _near(_rgb_at(programme, SMALL.width // 2, SMALL.height // 2), MAGENTA)
    for kind in ("commercial", "bumper", "station_id"):
        [(_, spot)] = list(grey_frames(air(source, look=look, kind=kind), skip_s=1.0))[:1]
        assert not _near(_rgb_at(spot, x, y), MAGENTA), kind


def test_a_half_opaque_bug_shows_the_picture_through_it(
    media: MediaMaker, air: Airer, bug: Path
) -> None:
    source = media.path(KINDS["anamorphic_480p_16x9"])
    x, y = _bug_centre("bottom-right")
    [(_, plain)] = list(grey_frames(air(source), skip_s=1.0))[:1]
    look = Presentation(bug_path=str(bug), bug_opacity=0.5)
    [(_, blended)] = list(grey_frames(air(source, look=look), skip_s=1.0))[:1]
    under = _rgb_at(plain, x, y)
    expected = tuple((a + b) // 2 for a, b in zip(under, MAGENTA, strict=True))
    assert _near(_rgb_at(blended, x, y), (expected[0], expected[1], expected[2]), within=30)
