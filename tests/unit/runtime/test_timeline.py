"""ItemCursor: each producer's timestamps rebased onto the channel's one timeline."""

from __future__ import annotations

from retrovue.runtime.profile import OutputProfile
from retrovue.runtime.source import MediaKind, MediaPacket
from retrovue.runtime.timeline import ItemCursor

PROFILE = OutputProfile()
FRAME = PROFILE.frame_ticks  # 3000
AAC = PROFILE.audio_frame_ticks  # 1920


def packet(kind: MediaKind, dts: int, keyframe: bool = False) -> MediaPacket:
    return MediaPacket(kind, dts, dts, keyframe, None)


def cursor(start: int, end: int | None, floor: int | None = None) -> ItemCursor:
    return ItemCursor(start, end, start if floor is None else floor, FRAME, AAC)


def test_a_producer_starting_at_any_timestamp_lands_on_the_span_start() -> None:
    span = cursor(900_000, 900_000 + 10 * FRAME)
    placed = span.place(packet("video", 127_920, keyframe=True))
    assert [ts for _, ts in placed] == [900_000]
    assert [ts for _, ts in span.place(packet("video", 127_920 + FRAME))] == [900_000 + FRAME]
    assert span.video_end == 900_000 + 2 * FRAME


def test_nothing_is_placed_before_the_first_keyframe_and_early_audio_waits_for_it() -> None:
    span = cursor(0, 30 * FRAME)
    assert span.place(packet("video", 5000)) == []
    assert span.place(packet("audio", 6000)) == []
    placed = span.place(packet("video", 6000, keyframe=True))
    assert [(item.kind, ts) for item, ts in placed] == [("video", 0), ("audio", 0)]


def test_encoder_priming_before_the_first_picture_is_dropped() -> None:
    span = cursor(0, 30 * FRAME)
    span.place(packet("audio", 126_000))  # 1920 ticks before the picture: the AAC priming
    placed = span.place(packet("video", 127_920, keyframe=True))
    assert [item.kind for item, _ in placed] == ["video"]
    assert span.place(packet("audio", 127_920))[0][1] == 0


def test_audio_that_ran_past_the_boundary_pushes_the_next_items_audio_just_after_it() -> None:
    floor = 900_000 + 1500  # the previous item's last AAC frame ended 1500 ticks past the cut
    span = cursor(900_000, 900_000 + 30 * FRAME, floor)
    span.place(packet("video", 0, keyframe=True))
    first = span.place(packet("audio", 0))
    second = span.place(packet("audio", AAC))
    assert [ts for _, ts in first + second] == [floor, floor + AAC]
    assert first[0][1] - 900_000 < AAC  # never more than one AAC frame from its picture


def test_nothing_is_placed_at_or_past_the_span_end_and_completion_allows_half_a_frame() -> None:
    span = cursor(0, 3 * FRAME)
    for index in range(5):
        span.place(packet("video", index * FRAME, keyframe=index == 0))
    assert span.video_end == 3 * FRAME
    assert span.video_complete
    assert span.place(packet("audio", 3 * FRAME)) == []
    short = cursor(0, 3 * FRAME)
    short.place(packet("video", 0, keyframe=True))
    assert not short.video_complete
    assert short.shortfall_ticks() == 2 * FRAME


def test_timestamps_that_step_backwards_inside_a_producer_are_dropped() -> None:
    span = cursor(0, None)
    span.place(packet("video", 9000, keyframe=True))
    span.place(packet("video", 12_000))
    assert span.place(packet("video", 9000)) == []
    assert span.shortfall_ticks() == 0  # an open-ended card is never short


def sound(dts: int, track: int, tracks: int) -> MediaPacket:
    return MediaPacket("audio", dts, dts, True, None, track, tracks)


def two_tracks(start: int, end: int | None, floor: int) -> ItemCursor:
    return ItemCursor(start, end, floor, FRAME, AAC, audio_tracks=2)


def test_a_producer_with_one_audio_track_is_carried_on_both_of_a_channels_tracks() -> None:
    span = two_tracks(0, 10 * AAC, 0)
    span.place(packet("video", 0, keyframe=True))
    placed = span.place(sound(0, 0, 1)) + span.place(sound(AAC, 0, 1))
    assert [(item.track, ts) for item, ts in placed] == [(0, 0), (1, 0), (0, AAC), (1, AAC)]
    assert placed[0][0].packet is placed[1][0].packet  # the same coded frame, not re-encoded
    assert span.audio_end == 2 * AAC


def test_both_tracks_take_the_same_shift_and_neither_overlaps_its_own_past() -> None:
    # The second track of the last item ended 700 ticks after the main one.
    span = two_tracks(900_000, 900_000 + 40 * AAC, 900_000 + 700)
    span.place(packet("video", 5000, keyframe=True))
    main = span.place(sound(5000, 0, 2))
    second = span.place(sound(5000, 1, 2))
    assert [ts for _, ts in main] == [ts for _, ts in second] == [900_700]
    assert [item.track for item, _ in main + second] == [0, 1]  # real second track, no copy
    assert span.place(sound(5000, 1, 2)) == []  # the same instant twice on one track


def test_an_item_is_complete_once_every_track_it_sends_reaches_the_end() -> None:
    span = two_tracks(0, 2 * AAC, 0)
    for index in range(5):
        span.place(packet("video", index * FRAME, keyframe=index == 0))
    span.place(sound(0, 0, 2))
    span.place(sound(AAC, 0, 2))
    span.place(sound(0, 1, 2))
    assert not span.audio_complete  # the second language is a frame behind
    span.place(sound(AAC, 1, 2))
    assert span.audio_complete


def test_a_channel_with_one_track_drops_a_second_language_it_does_not_carry() -> None:
    span = cursor(0, None)
    span.place(packet("video", 0, keyframe=True))
    assert span.place(sound(0, 1, 2)) == []
    assert [(item.track, ts) for item, ts in span.place(sound(0, 0, 2))] == [(0, 0)]
