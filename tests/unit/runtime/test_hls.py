"""HLS segmenting: cut only on keyframes, never longer than the target, a sliding window."""

from __future__ import annotations

from retrovue.runtime.hls import HlsSegmenter
from retrovue.runtime.muxer import Chunk
from retrovue.runtime.profile import TICKS_PER_SECOND

SECOND = TICKS_PER_SECOND


def gop(pts: int, frames: int = 3) -> list[Chunk]:
    return [Chunk(b"K", keyframe_pts=pts), *(Chunk(b"p") for _ in range(frames - 1))]


def test_segments_are_cut_on_keyframes_once_at_least_0_9_s_has_passed() -> None:
    hls = HlsSegmenter()
    hls.feed([Chunk(b"before the first keyframe")])
    for index in range(4):
        hls.feed(gop(index * SECOND // 2))  # keyframes every half second
    segments = hls.segments
    assert [s.duration_s for s in segments] == [1.0]
    assert segments[0].data == b"Kpp" * 2  # nothing from before the first keyframe


def test_a_keyframe_after_a_short_gop_at_a_boundary_cuts_under_two_seconds() -> None:
    hls = HlsSegmenter()
    for pts in (0, SECOND, SECOND + SECOND // 3, 2 * SECOND + SECOND // 3, 4 * SECOND):
        hls.feed(gop(pts))
    assert [round(s.duration_s, 3) for s in hls.segments] == [1.0, 1.333, 1.667]
    assert all(s.data.startswith(b"K") for s in hls.segments)


def test_the_playlist_keeps_a_sliding_window_with_the_media_sequence_of_its_first() -> None:
    hls = HlsSegmenter(window=3)
    for index in range(7):
        hls.feed(gop(index * SECOND))
    playlist = hls.playlist("/hls/{sequence}.ts").splitlines()
    assert playlist[:4] == [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:2",
        "#EXT-X-MEDIA-SEQUENCE:3",
    ]
    assert playlist[4:] == ["#EXTINF:1.000,", "/hls/3.ts", "#EXTINF:1.000,", "/hls/4.ts",
                            "#EXTINF:1.000,", "/hls/5.ts"]  # fmt: skip
    assert hls.segment(2) is None and hls.segment(5) is not None


def test_a_reset_starts_over_at_the_next_keyframe() -> None:
    hls = HlsSegmenter()
    hls.feed(gop(0) + gop(SECOND))
    hls.reset()
    hls.feed([Chunk(b"p"), *gop(5 * SECOND), *gop(6 * SECOND)])
    assert [s.data for s in hls.segments] == [b"Kpp"]
