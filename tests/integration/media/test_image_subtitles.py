"""Picture subtitles (Blu-ray PGS, DVD VobSub) burned in when the channel asks for their
language, fitted with the picture, on time from the offset the item airs from; read by OCR."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from air_oracles import bottom_text
from image_subtitles import Cue, Subtitled, subtitled
from media_airing import Airer
from media_kinds import H264, KINDS, SUBTITLE_TEXT, Kind, MediaMaker

from retrovue.domain.probe import probe
from retrovue.ffmpeg import Ffmpeg
from retrovue.runtime.profile import OutputProfile
from retrovue.schedule_manager.airing import Presentation

pytestmark = pytest.mark.slow

CHANNEL = OutputProfile()
FILL = "color=c=0x7090b0"
# Keyframes as often as discs have them (a Blu-ray's every second, a DVD's every half
# second), so a seek lands on one after a word began.
BLU_RAY_KIND = Kind(
    "bluray_1080p23976_keyframe_each_second", ".mkv",
    ("-f", "lavfi", "-i", f"{FILL}:s=1920x1080:r=24000/1001", "-f", "lavfi", "-i",
     "sine=f=500:r=48000", "-t", "4", *H264, "-g", "24", "-c:a", "ac3",
     "-metadata:s:a:0", "language=eng"),
    seconds=4.0,
)  # fmt: skip
DVD_KIND = Kind(
    "dvd_480p_16x9_mpeg2_keyframe_each_half_second", ".mkv",
    ("-f", "lavfi", "-i", f"{FILL}:s=720x480:r=30000/1001", "-f", "lavfi", "-i",
     "sine=f=500:r=48000", "-t", "3", "-c:v", "mpeg2video", "-q:v", "2", "-g", "15",
     "-aspect", "16:9", "-c:a", "ac3", "-ac", "2"),
)  # fmt: skip
RE_ENCODE_KIND = Kind(
    "h264_720p_keyframe_each_second", ".mkv",
    ("-f", "lavfi", "-i", f"{FILL}:s=1280x720:r=24", "-t", "3", *H264, "-g", "24"),
)  # fmt: skip
# Each word is shown from 0.5 s to 2.5 s of its file. The tracks are tagged with terminology
# codes (fra, deu); the probe, like the channel's setting, keeps the bibliographic ones.
BLU_RAY = Subtitled(BLU_RAY_KIND, Cue("BONJOUR", 0.5, 2.5, 1920, 1080), "fra")
# The same beside the feature's text track: the picture track is the file's second.
FEATURE = Subtitled(
    KINDS["feature_1080p23976_ac3_two_languages"], Cue("BONJOUR", 0.5, 2.5, 1920, 1080), "fra"
)
# A Blu-ray's subtitles kept beside its 720p re-encode: drawn for a 1080p frame.
RE_ENCODE = Subtitled(RE_ENCODE_KIND, Cue("BONJOUR", 0.5, 2.5, 1920, 1080), "fra")
DVD = Subtitled(DVD_KIND, Cue("GUTEN TAG", 0.5, 2.5, 720, 480), "deu", dvd=True)


def _subtitle_codecs(path: Path) -> list[tuple[str, str]]:
    binary = shutil.which("ffprobe")
    assert binary is not None, "ffprobe is required"
    out = subprocess.run(
        [binary, "-v", "error", "-select_streams", "s", "-show_streams", "-of", "json", str(path)],
        capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL,
    ).stdout  # fmt: skip
    return [(s["codec_name"], s["tags"]["language"]) for s in json.loads(out)["streams"]]


def test_the_probe_reports_picture_subtitles_with_their_language(
    media: MediaMaker, ffmpeg: Ffmpeg
) -> None:
    blu_ray, dvd = subtitled(media, ffmpeg, FEATURE), subtitled(media, ffmpeg, DVD)
    assert _subtitle_codecs(blu_ray) == [("subrip", "eng"), ("hdmv_pgs_subtitle", "fra")]
    assert _subtitle_codecs(dvd) == [("dvd_subtitle", "deu")]
    found = [(s.image, s.language, s.index, s.canvas) for s in probe(str(blu_ray)).subtitles]
    assert found == [(False, "eng", 0, None), (True, "fre", 1, (1920, 1080))]
    found = [(s.image, s.language, s.index, s.canvas) for s in probe(str(dvd)).subtitles]
    assert found == [(True, "ger", 0, (720, 480))]


def test_blu_ray_subtitles_burn_in_over_their_window_from_any_offset(
    media: MediaMaker, ffmpeg: Ffmpeg, air: Airer, tmp_path: Path
) -> None:
    source = subtitled(media, ffmpeg, BLU_RAY)
    look = Presentation(subtitles="fre")
    # Tuned in at 1.5 s, after the keyframe at 1 s: the word began before it, at 0.5 s.
    aired = air(source, seconds=2.0, profile=CHANNEL, offset_s=1.5, look=look)
    assert "BONJOUR" in bottom_text(aired, 0.2, tmp_path)  # file 1.7 s
    assert "BONJOUR" not in bottom_text(aired, 1.5, tmp_path)  # file 3.0 s: gone
    plain = air(source, seconds=1.0, profile=CHANNEL, offset_s=1.5)
    assert bottom_text(plain, 0.2, tmp_path) == ""
    # Beside a text track in another language, only the chosen track is drawn.
    feature = subtitled(media, ffmpeg, FEATURE)
    shown = bottom_text(
        air(feature, seconds=0.5, profile=CHANNEL, offset_s=1.0, look=look), 0.2, tmp_path
    )
    assert "BONJOUR" in shown and SUBTITLE_TEXT not in shown


def test_blu_ray_subtitles_beside_a_smaller_picture_are_fitted_to_it(
    media: MediaMaker, ffmpeg: Ffmpeg, air: Airer, tmp_path: Path
) -> None:
    source = subtitled(media, ffmpeg, RE_ENCODE)
    aired = air(
        source, seconds=1.0, profile=CHANNEL, offset_s=1.0, look=Presentation(subtitles="fre")
    )
    assert "BONJOUR" in bottom_text(aired, 0.2, tmp_path)


def test_dvd_subtitles_burn_in_over_their_window_from_any_offset(
    media: MediaMaker, ffmpeg: Ffmpeg, air: Airer, tmp_path: Path
) -> None:
    source = subtitled(media, ffmpeg, DVD)
    look = Presentation(subtitles="ger")
    early = air(source, seconds=1.0, profile=CHANNEL, look=look)
    assert "GUTEN" not in bottom_text(early, 0.2, tmp_path)  # file 0.2 s: not yet
    aired = air(source, seconds=1.5, profile=CHANNEL, offset_s=1.5, look=look)
    assert "GUTEN TAG" in bottom_text(aired, 0.2, tmp_path)  # file 1.7 s, began at 0.5 s
    assert "GUTEN" not in bottom_text(aired, 1.3, tmp_path)  # file 2.8 s: gone
    plain = air(source, seconds=1.0, profile=CHANNEL, offset_s=1.0)
    assert bottom_text(plain, 0.2, tmp_path) == ""
