"""A channel's second language rides as a second AAC track marked with its ISO 639 code: ffprobe
lists it, a player switches to it (mpv --aid=2) and hears that language's tone."""

from __future__ import annotations

import array
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from air_oracles import dominant_tone, mono_samples
from media_airing import IN_CI, Airer
from media_kinds import KINDS, TONES, MediaMaker

from retrovue.schedule_manager.airing import Presentation

pytestmark = pytest.mark.slow

FEATURE = "feature_1080p23976_ac3_two_languages"
CANDIDATES = sorted(TONES.values())


def _audio_languages(path: Path) -> list[tuple[str, int, str]]:
    binary = shutil.which("ffprobe")
    assert binary is not None, "ffprobe is required"
    out = subprocess.run(
        [binary, "-v", "error", "-select_streams", "a", "-show_streams", "-of", "json", str(path)],
        capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL,
    ).stdout  # fmt: skip
    return [
        (s["codec_name"], s["channels"], s["tags"]["language"]) for s in json.loads(out)["streams"]
    ]


def test_the_second_language_is_a_second_track_marked_with_its_language(
    media: MediaMaker, air: Airer
) -> None:
    look = Presentation(audio_language=("eng",), second_audio="spa")
    out = air(media.path(KINDS[FEATURE]), look=look, second_audio_track=True)
    assert _audio_languages(out) == [("aac", 2, "eng"), ("aac", 2, "spa")]
    assert dominant_tone(mono_samples(out, 0)[1], CANDIDATES)[0] == TONES["eng"]
    assert dominant_tone(mono_samples(out, 1)[1], CANDIDATES)[0] == TONES["spa"]
    # A file without that language encodes its sound once: playout carries that one track on
    # both of the channel's (tests/integration/runtime/test_playout_second_audio.py).
    single = air(media.path(KINDS["hevc_1080p_10bit"]), look=look, second_audio_track=True)
    assert _audio_languages(single) == [("aac", 2, "eng")]
    mute = air(media.path(KINDS["video_only_h264"]), look=look, second_audio_track=True)
    assert _audio_languages(mute) == [("aac", 2, "und")]


def test_a_player_switched_to_the_second_track_hears_the_second_language(
    media: MediaMaker, air: Airer, tmp_path: Path
) -> None:
    mpv = shutil.which("mpv")
    if mpv is None:
        if IN_CI:
            pytest.fail("mpv is required under CI")
        pytest.skip("mpv is not installed")
    look = Presentation(second_audio="spa")
    out = air(media.path(KINDS[FEATURE]), look=look, second_audio_track=True)
    heard = tmp_path / "heard.pcm"
    subprocess.run(
        [mpv, "--no-config", "--really-quiet", "--aid=2", "--vo=null", "--ao=pcm",
         f"--ao-pcm-file={heard}", "--ao-pcm-waveheader=no", "--audio-samplerate=48000",
         "--audio-channels=mono",
         "--audio-format=s16", str(out)],
        check=True, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    raw = array.array("h", heard.read_bytes())  # signed 16-bit, 48 kHz, mono
    samples = array.array("f", (s / 32768 for s in raw))
    assert dominant_tone(samples, CANDIDATES)[0] == TONES["spa"]
