"""Subtitles burned in when the channel asks: embedded or beside the file, on time from any
offset the item airs from, read back by OCR."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from air_oracles import bottom_text
from media_airing import Airer
from media_kinds import KINDS, SUBTITLE_TEXT, MediaMaker

from retrovue.runtime.profile import OutputProfile
from retrovue.schedule_manager.airing import Presentation

pytestmark = pytest.mark.slow

CHANNEL = OutputProfile()


def test_subtitles_in_the_file_burn_in_when_the_channel_asks_for_their_language(
    media: MediaMaker, air: Airer, tmp_path: Path
) -> None:
    source = media.path(KINDS["feature_1080p23976_ac3_two_languages"])
    shown = air(source, profile=CHANNEL, offset_s=1.0, look=Presentation(subtitles="eng"))
    assert SUBTITLE_TEXT in bottom_text(shown, 1.0, tmp_path)
    plain = air(source, profile=CHANNEL, offset_s=1.0)
    assert SUBTITLE_TEXT not in bottom_text(plain, 1.0, tmp_path)
    # A language the file has no subtitles in burns nothing.
    other = air(source, profile=CHANNEL, offset_s=1.0, look=Presentation(subtitles="spa"))
    assert SUBTITLE_TEXT not in bottom_text(other, 1.0, tmp_path)


def test_a_subtitle_file_beside_the_video_burns_in_on_time_from_any_offset(
    media: MediaMaker, air: Airer, tmp_path: Path
) -> None:
    folder = tmp_path / "show"
    folder.mkdir()
    video = folder / "Episode.mkv"
    shutil.copyfile(media.path(KINDS["anamorphic_480p_16x9"]), video)
    # Shown from 1.0 s to 1.8 s of the file only.
    (folder / "Episode.es.srt").write_text(
        "1\n00:00:01,000 --> 00:00:01,800\nHOLA MUNDO\n", encoding="utf-8"
    )
    look = Presentation(subtitles="spa")
    aired = air(video, profile=CHANNEL, offset_s=1.5, look=look)  # file 1.5 s is aired at 0
    assert "HOLA MUNDO" in bottom_text(aired, 0.1, tmp_path)
    assert "HOLA" not in bottom_text(aired, 1.0, tmp_path)  # file 2.5 s: gone
