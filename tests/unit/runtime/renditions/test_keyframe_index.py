"""The keyframe index: which keyframe an offset opens on, and the file it is kept in."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrovue.errors import MediaError
from retrovue.runtime.renditions.keyframes import Keyframe, KeyframeIndex

SECOND = 90_000
FRAME = 3000
INDEX = KeyframeIndex(
    first_pts=126_000,
    end=10 * SECOND,
    size_bytes=5_000_000,
    keyframes=(
        *(Keyframe(n * SECOND, n * 500_000) for n in range(10)),
        Keyframe(4 * SECOND + 45_600, 2_200_000),  # forced at a break at 4.507 s
    ),
)
ORDERED = KeyframeIndex(
    INDEX.first_pts, INDEX.end, INDEX.size_bytes, tuple(sorted(INDEX.keyframes, key=lambda k: k.at))
)


@pytest.mark.parametrize(
    ("offset", "at"),
    [(0.0, 0), (0.95, 0), (0.99, SECOND), (1.0, SECOND), (3.5, 3 * SECOND),
     (4.47, 4 * SECOND), (4.49, 4 * SECOND + 45_600), (4.507, 4 * SECOND + 45_600),
     (9.99, 9 * SECOND)],
)  # fmt: skip
def test_an_offset_opens_on_the_keyframe_at_or_before_it_or_within_a_frame_after(
    offset: float, at: int
) -> None:
    found = ORDERED.locate(offset, FRAME)
    assert found is not None and found.at == at
    assert offset - 1.0 < found.at / SECOND < offset + FRAME / SECOND


def test_an_offset_past_the_last_picture_opens_on_nothing() -> None:
    assert ORDERED.locate(10.0, FRAME) is None
    assert ORDERED.locate(25.0, FRAME) is None


def test_the_index_is_kept_whole_and_read_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "r1-x.ts.idx"
    ORDERED.save(path)
    assert KeyframeIndex.load(path) == ORDERED
    assert [p.name for p in tmp_path.iterdir()] == ["r1-x.ts.idx"], "no partial file left"


@pytest.mark.parametrize("body", ["", "{}", '{"version": 99, "keyframes": []}', "[1, 2]"])
def test_an_unreadable_index_is_a_media_error_naming_it(tmp_path: Path, body: str) -> None:
    path = tmp_path / "bad.ts.idx"
    path.write_text(body)
    with pytest.raises(MediaError, match=r"bad\.ts\.idx"):
        KeyframeIndex.load(path)


def test_a_missing_index_is_a_media_error(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="unreadable"):
        KeyframeIndex.load(tmp_path / "gone.ts.idx")
