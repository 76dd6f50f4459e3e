"""HLS segmenting: one segment per channel boundary, cut on its keyframe, numbered by it."""

from __future__ import annotations

from retrovue.runtime.hls import HlsSegmenter
from retrovue.runtime.muxer import Chunk
from retrovue.runtime.profile import TICKS_PER_SECOND

SECOND = TICKS_PER_SECOND
NOW = 1_796_000_000 * SECOND  # a boundary in late 2026, in channel ticks


def gop(pts: int, frames: int = 3) -> list[Chunk]:
    return [Chunk(b"K", keyframe_pts=pts), *(Chunk(b"p") for _ in range(frames - 1))]


def test_segments_are_cut_on_boundary_keyframes_and_numbered_by_their_boundary() -> None:
    hls = HlsSegmenter()
    hls.feed([Chunk(b"before the first keyframe")])
    for index in range(4):
        hls.feed(gop(NOW + index * SECOND // 2))  # an item keyed every half second
    segments = hls.segments
    assert [(s.sequence, s.duration_s) for s in segments] == [(1_796_000_000, 1.0)]
    assert segments[0].data == b"Kpp" * 2  # nothing from before the first keyframe


def test_a_stream_opening_between_boundaries_is_segmented_from_the_next_boundary() -> None:
    hls = HlsSegmenter()
    for pts in (NOW + SECOND // 3, NOW + SECOND, NOW + 2 * SECOND, NOW + 3 * SECOND):
        hls.feed(gop(pts))
    # The stream's first third of a second is no segment another station would cut alike.
    assert [s.sequence - NOW // SECOND for s in hls.segments] == [1, 2]
    assert all(s.data == b"Kpp" for s in hls.segments)


def test_an_item_keyed_between_boundaries_stays_inside_the_boundary_segment() -> None:
    hls = HlsSegmenter()
    for pts in (NOW, NOW + SECOND, NOW + SECOND + SECOND // 3, NOW + 2 * SECOND, NOW + 3 * SECOND):
        hls.feed(gop(pts))
    assert [(s.sequence - NOW // SECOND, s.duration_s) for s in hls.segments] == [
        (0, 1.0), (1, 1.0), (2, 1.0),
    ]  # fmt: skip
    assert hls.segments[1].data == b"Kpp" * 2


def test_a_lost_boundary_keyframe_opens_the_segment_on_the_first_keyframe_after_it() -> None:
    hls = HlsSegmenter()
    for pts in (NOW, NOW + SECOND, NOW + 2 * SECOND + SECOND // 2, NOW + 3 * SECOND):
        hls.feed(gop(pts))  # a producer replaced: the timeline skipped 2 s to 2.5 s
    assert [(s.sequence - NOW // SECOND, s.duration_s) for s in hls.segments] == [
        (0, 1.0), (1, 1.5), (2, 0.5),
    ]  # fmt: skip


def test_the_playlist_keeps_a_sliding_window_with_the_media_sequence_of_its_first() -> None:
    hls = HlsSegmenter(window=3)
    for index in range(7):
        hls.feed(gop(NOW + index * SECOND))
    playlist = hls.playlist("/hls/{sequence}.ts").splitlines()
    first = NOW // SECOND + 3
    assert playlist[:5] == [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:2",
        f"#EXT-X-MEDIA-SEQUENCE:{first}",
        "#EXT-X-PROGRAM-DATE-TIME:2026-11-30T00:53:23.000Z",
    ]
    assert playlist[5:] == [
        line for n in range(3) for line in ("#EXTINF:1.000,", f"/hls/{first + n}.ts")
    ]
    assert hls.segment(first - 1) is None and hls.segment(first + 2) is not None


def test_a_reset_starts_over_at_the_next_boundary_keyframe() -> None:
    hls = HlsSegmenter()
    hls.feed(gop(NOW) + gop(NOW + SECOND))
    hls.reset()
    hls.feed([Chunk(b"p"), *gop(NOW + 5 * SECOND), *gop(NOW + 6 * SECOND)])
    assert [s.data for s in hls.segments] == [b"Kpp"]
