"""Producer argv: card text written whole, and what a file item needs to air right."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from retrovue.runtime.item_shape import channel_audio_languages, shape_item
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import OutputProfile
from retrovue.schedule_manager.airing import Presentation, ScheduledItem

FONT = Path("/fonts/Sans.ttf")  # only named in the filtergraph; ffmpeg is not run


def test_card_text_is_written_whole_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    factory = ProducerFactory(OutputProfile(), tmp_path / "cards", FONT)
    args = factory.card("slate", 5.0, ("Channel 1", "We'll be right back"))
    assert "drawtext" in " ".join(args)
    written = sorted(p.read_text(encoding="utf-8") for p in (tmp_path / "cards").iterdir())
    assert written == ["Channel 1", "We'll be right back"]


def test_a_card_whose_text_cannot_be_written_goes_without_text(tmp_path: Path) -> None:
    blocked = tmp_path / "cards"
    blocked.write_text("not a directory")  # as unwritable as a read-only data directory
    args = ProducerFactory(OutputProfile(), blocked, FONT).card("emergency", 5.0, ("EMERGENCY",))
    assert "drawtext" not in " ".join(args)
    assert "color=c=0x8b0000" in " ".join(args)


def _item(kind: str = "program", media: dict[str, Any] | None = None, **look: Any) -> ScheduledItem:
    start = dt.datetime(2026, 1, 1, 20, tzinfo=dt.UTC)
    return ScheduledItem(
        event_id=1, channel_number=1, broadcast_day=start.date(), start_utc=start,
        end_utc=start + dt.timedelta(minutes=10), kind=kind, in_point_ms=60_000,
        program_group=0, asset_id=1, file_path="/media/show.mkv", title="Show",
        canonical=True, available=True, media=media, presentation=Presentation(**look),
        next_title="Later Show",
    )  # fmt: skip


TWO_LANGUAGES = {
    "width": 1920, "height": 1080, "fps": 23.976,
    "video": {"field_order": "progressive", "rate": [24000, 1001]},
    "audio": [
        {"index": 0, "language": "eng", "default": True, "loudness_lufs": -14.0},
        {"index": 1, "language": "spa", "default": False, "loudness_lufs": -30.0},
    ],
    "subtitles": [],
}  # fmt: skip


def test_the_audio_preference_takes_the_first_language_the_file_has_else_its_default() -> None:
    def heard(*preference: str) -> list[tuple[int, str]]:
        shape = shape_item(_item(media=TWO_LANGUAGES, audio_language=preference), 0.0, True)
        return [(pick.index, pick.language) for pick in shape.audio]

    assert heard() == [(0, "eng")]
    assert heard("fre", "spa", "eng") == [(1, "spa")]
    assert heard("fre") == [(0, "eng")]


def test_each_track_is_brought_to_the_target_by_its_own_measured_loudness() -> None:
    look = _item(media=TWO_LANGUAGES, second_audio="spa")
    shape = shape_item(look, 0.0, True, loudness_target=-24.0, second_track=True)
    assert [(p.language, p.gain_db) for p in shape.audio] == [("eng", -10.0), ("spa", 6.0)]
    # Until the channel's muxer carries a second track, the second language is not aired.
    assert len(shape_item(look, 0.0, True).audio) == 1
    # A file without that language encodes one track (playout carries it on both).
    french = _item(media=TWO_LANGUAGES, second_audio="fre")
    assert len(shape_item(french, 0.0, True, second_track=True).audio) == 1
    silent = {**TWO_LANGUAGES, "audio": [{"index": 0, "loudness_lufs": -70.0}]}
    assert shape_item(_item(media=silent), 0.0, True).audio[0].gain_db == 0.0


def test_a_file_nothing_is_known_of_airs_its_first_track_through_the_single_pass_normaliser(
    tmp_path: Path,
) -> None:
    factory = ProducerFactory(OutputProfile(), tmp_path, None, loudness_target=-16.0)
    args = factory.scheduled(_item(), 60.0, 5.0, True)
    inputs = [i for i, arg in enumerate(args) if arg == "-i"]
    # Its sound is read by a demuxer of its own from the same point, its picture's left alone.
    assert [args[i + 1] for i in inputs] == ["/media/show.mkv", "/media/show.mkv"]
    assert args[inputs[1] - 5 : inputs[1]] == ["-ss", args[inputs[0] - 1], "-vn", "-sn", "-dn"]
    assert args[args.index("-map", args.index("[v]")) + 1] == "1:a:0"
    sound = args[args.index("-filter:a:0") + 1]
    assert "loudnorm=I=-16:TP=-3.5:LRA=15:linear=false" in sound and "alimiter" in sound
    assert "bwdif" not in args[args.index("-filter_complex") + 1]


def test_a_measured_file_is_read_once_and_its_bug_is_the_input_after_it(tmp_path: Path) -> None:
    bug = tmp_path / "bug.png"
    bug.write_bytes(b"\x89PNG\r\n\x1a\n")
    factory = ProducerFactory(OutputProfile(), tmp_path, None)
    for media, bug_input in ((TWO_LANGUAGES, 1), (None, 2)):
        args = factory.scheduled(_item(media=media, bug_path=str(bug)), 0.0, 5.0, True)
        assert [a for i, a in enumerate(args) if i and args[i - 1] == "-i"][bug_input] == str(bug)
        assert f"[{bug_input}:v]" in args[args.index("-filter_complex") + 1]
    measured = factory.scheduled(_item(media=TWO_LANGUAGES), 0.0, 5.0, True)
    assert measured.count("-i") == 1 and "loudnorm" not in " ".join(measured)


def test_an_interlaced_source_is_deinterlaced_in_its_field_order_at_the_channel_rate() -> None:
    dvd = {"video": {"field_order": "bb", "rate": [25, 1]}, "audio": []}
    shape = shape_item(_item(media=dvd), 0.0, False)
    assert (shape.field_order, shape.source_fps) == ("bb", 25.0)
    args = ProducerFactory(OutputProfile(), Path("/tmp"), None).file("x.mkv", 0, 5, False, shape)
    graph = args[args.index("-filter_complex") + 1]
    assert "bwdif=mode=send_field:parity=bff:deint=all" in graph  # 50 fields make 30 frames


@pytest.mark.parametrize("kind", ["commercial", "promo", "bumper", "station_id"])
def test_the_bug_is_drawn_on_programmes_and_never_on_breaks(kind: str, tmp_path: Path) -> None:
    bug = tmp_path / "bug.png"
    bug.write_bytes(b"\x89PNG\r\n\x1a\n")
    factory = ProducerFactory(OutputProfile(), tmp_path, None)
    programme = factory.scheduled(_item(bug_path=str(bug)), 0.0, 5.0, True)
    spot = factory.scheduled(_item(kind, bug_path=str(bug)), 0.0, 5.0, True)
    assert str(bug) in programme and str(bug) not in spot


def test_the_next_caption_shows_its_last_seconds_counted_from_the_point_aired() -> None:
    # A 10-minute part from 1:00 into the file, aired from 5:00 in: 6 minutes are left.
    shape = shape_item(_item(next_caption_s=15), 300.0, True)
    assert shape.caption is not None
    assert (shape.caption.text, shape.caption.from_s) == ("Next: Later Show", 345.0)
    assert shape_item(_item("commercial", next_caption_s=15), 0.0, True).caption is None
    assert shape_item(_item(), 0.0, True).caption is None  # the channel did not ask


SUBTITLED = {
    **TWO_LANGUAGES,
    "subtitles": [
        {"index": 0, "codec": "hdmv_pgs_subtitle", "image": True, "language": "eng",
         "forced": True},
        {"index": 1, "codec": "subrip", "image": False, "language": "spa", "forced": True},
        {"index": 2, "codec": "subrip", "image": False, "language": "eng", "forced": False},
        {"index": None, "codec": "subrip", "image": False, "language": "fre", "forced": False,
         "path": "/nonexistent/show.fr.srt"},
    ],
}  # fmt: skip


@pytest.mark.parametrize(
    ("mode", "audio", "chosen"),
    [("forced", (), 0), ("forced", ("spa",), 1), ("eng", (), 2), ("fre", (), None),
     ("off", (), None)],
)  # fmt: skip
def test_subtitles_follow_the_channel_forced_ones_in_the_language_heard(
    mode: str, audio: tuple[str, ...], chosen: int | None
) -> None:
    item = _item(media=SUBTITLED, subtitles=mode, audio_language=audio)
    pick = shape_item(item, 0.0, True).subtitle
    assert (None if pick is None else pick.index) == chosen  # a sidecar gone is no choice


def test_picture_subtitles_are_fitted_with_the_picture_and_drawn_before_it_is_padded(
    tmp_path: Path,
) -> None:
    factory = ProducerFactory(OutputProfile(), tmp_path, None)
    args = factory.scheduled(_item(media=SUBTITLED, subtitles="forced"), 0.0, 5.0, True)
    graph = args[args.index("-filter_complex") + 1]
    assert (
        graph.index("scale=")
        < graph.index("[0:s:0]")
        < graph.index("overlay")
        < (graph.index("pad="))
    )
    assert not any(a.startswith("-canvas_size") for a in args)  # no canvas probed
    canvas = [{**SUBTITLED["subtitles"][0], "canvas": [1920, 1080]}]
    item = _item(media={**SUBTITLED, "subtitles": canvas}, subtitles="forced")
    args = factory.scheduled(item, 0.0, 5.0, True)
    assert args[args.index("-canvas_size:s:0") + 1] == "1920x1080"
    assert args.index("-canvas_size:s:0") < args.index("-i")


def test_a_source_beyond_1080p30_is_decoded_and_scaled_the_cheaper_way(tmp_path: Path) -> None:
    factory = ProducerFactory(OutputProfile(), tmp_path, None)
    uhd = {**TWO_LANGUAGES, "width": 3840, "height": 2160, "video": {"rate": [24, 1]}}
    heavy = factory.scheduled(_item(media=uhd), 0.0, 5.0, True)
    assert heavy[: heavy.index("-i")][:2] == ["-skip_loop_filter", "all"]
    assert "flags=fast_bilinear" in heavy[heavy.index("-filter_complex") + 1]
    hd = factory.scheduled(_item(media=TWO_LANGUAGES), 0.0, 5.0, True)
    assert "-skip_loop_filter" not in hd
    assert "fast_bilinear" not in hd[hd.index("-filter_complex") + 1]


def test_a_channel_marks_its_tracks_only_when_it_carries_a_second_language() -> None:
    assert channel_audio_languages(Presentation()) == (None,)
    assert channel_audio_languages(Presentation(audio_language=("eng",))) == (None,)
    two = Presentation(audio_language=("eng", "und"), second_audio="spa")
    assert channel_audio_languages(two) == ("eng", "spa")
    assert channel_audio_languages(Presentation(second_audio="fre")) == ("und", "fre")
