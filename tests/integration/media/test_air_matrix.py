"""Every kind of real file aired through the producer's own argv: the shape it airs in, no
combing, the right tone, picture and sound in step a minute in, and the loudness target."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from air_oracles import (
    beeps,
    combing,
    dominant_tone,
    flashes,
    grey_frames,
    measured_level,
    mono_samples,
    peak,
    picture_span,
)
from media_airing import Airer
from media_kinds import KINDS, LOUDNESS_KINDS, SYNC_KINDS, TONES, MediaMaker

from retrovue.ffmpeg import Ffmpeg
from retrovue.runtime.item_shape import ItemShape
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import OutputProfile
from retrovue.schedule_manager.airing import Presentation

pytestmark = pytest.mark.slow

CHANNEL = OutputProfile()
CANDIDATES = sorted(TONES.values())


def _streams(path: Path) -> list[dict[str, Any]]:
    binary = shutil.which("ffprobe")
    assert binary is not None, "ffprobe is required"
    out = subprocess.run(
        [binary, "-v", "error", "-show_streams", "-of", "json", str(path)],
        capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL,
    ).stdout  # fmt: skip
    return list(json.loads(out)["streams"])


def _contract(path: Path, audio_tracks: int = 1) -> None:
    """What every producer must send so that items splice without a re-encode."""
    streams = _streams(path)
    video = [s for s in streams if s["codec_type"] == "video"]
    audio = [s for s in streams if s["codec_type"] == "audio"]
    assert [(s["codec_name"], s["width"], s["height"], s["r_frame_rate"]) for s in video] == [
        ("h264", CHANNEL.width, CHANNEL.height, f"{CHANNEL.fps}/1")
    ]
    assert [(s["codec_name"], s["sample_rate"], s["channels"]) for s in audio] == [
        ("aac", "48000", 2)
    ] * audio_tracks


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_airs_in_its_display_shape_unwoven_with_its_sound(
    name: str, media: MediaMaker, air: Airer
) -> None:
    kind = KINDS[name]
    out = air(media.path(kind), seconds=min(kind.seconds, 2.0), profile=CHANNEL)
    _contract(out)
    pictures = [frame for _, frame in grey_frames(out, skip_s=0.5)][:3]
    assert pictures
    for picture in pictures:
        left, right = picture_span(picture)
        assert abs((right - left) - kind.picture_width) <= 4, (left, right)
        assert abs(left - (CHANNEL.width - right)) <= 2  # centred: equal bars, or none
        assert combing(picture) < 3.0
    _, samples = mono_samples(out)
    if kind.tones:
        tone, share = dominant_tone(samples, CANDIDATES)
        assert (tone, share > 0.9) == (kind.tones["eng"], True)
    else:
        assert peak(samples) < 1e-3  # a file without sound airs silence, not nothing


def test_an_interlaced_source_aired_woven_combs_so_the_oracle_can_tell(
    media: MediaMaker, ffmpeg: Ffmpeg, tmp_path: Path
) -> None:
    factory = ProducerFactory(CHANNEL, tmp_path, None)
    source = media.path(KINDS["dvd_480i_4x3_mpeg2"])
    args = factory.file(str(source), 0.0, 1.5, True, ItemShape.plain(True))
    woven = tmp_path / "woven.ts"
    ffmpeg.run([*args[:-1], str(woven)])
    assert all(combing(frame) > 30 for _, frame in list(grey_frames(woven))[:3])


@pytest.mark.parametrize(
    ("preference", "heard"),
    [((), "eng"), (("spa",), "spa"), (("fre", "spa"), "spa"), (("fre",), "eng")],
)
def test_the_channel_audio_language_preference_picks_the_track_heard(
    preference: tuple[str, ...], heard: str, media: MediaMaker, air: Airer
) -> None:
    out = air(
        media.path(KINDS["feature_1080p23976_ac3_two_languages"]),
        look=Presentation(audio_language=preference),
    )
    tone, share = dominant_tone(mono_samples(out)[1], CANDIDATES)
    assert (tone, share > 0.9) == (TONES[heard], True)


@pytest.mark.parametrize("name", sorted(SYNC_KINDS))
def test_picture_and_sound_stay_within_40_ms_a_minute_into_a_frame_rate_conversion(
    name: str, media: MediaMaker, air: Airer
) -> None:
    kind = SYNC_KINDS[name]
    out = air(media.path(kind), seconds=kind.seconds)
    seen, heard = flashes(out), beeps(out)
    assert len(seen) == len(heard) == 32
    late = [(v - a) * 1000 for v, a in zip(seen, heard, strict=True) if a > 60.0]
    assert late and all(abs(ms) <= 40 for ms in late), late


@pytest.mark.parametrize("name", sorted(LOUDNESS_KINDS))
def test_loud_and_quiet_items_air_within_1_lu_of_the_target_under_the_peak_ceiling(
    name: str, media: MediaMaker, air: Airer, ffmpeg: Ffmpeg
) -> None:
    kind = LOUDNESS_KINDS[name]
    level = measured_level(ffmpeg, air(media.path(kind), seconds=kind.seconds))
    assert abs(level.integrated_lufs - -24.0) <= 1.0, level
    assert level.true_peak_dbtp <= -2.0, level


def test_the_station_target_moves_every_item_measured_or_not(
    media: MediaMaker, air: Airer, ffmpeg: Ffmpeg
) -> None:
    loud = media.path(LOUDNESS_KINDS["programme_loud"])
    for measured in (True, False):
        level = measured_level(
            ffmpeg, air(loud, seconds=8, loudness_target=-18.0, measured=measured)
        )
        assert abs(level.integrated_lufs - -18.0) <= 1.0, (measured, level)


def test_an_unmeasured_item_aired_from_an_offset_keeps_its_sound_with_its_picture(
    media: MediaMaker, air: Airer
) -> None:
    # Its sound comes through a demuxer of its own: both seek to the same point.
    out = air(media.path(SYNC_KINDS["sync_23976"]), seconds=20, offset_s=30.5, measured=False)
    seen, heard = flashes(out), beeps(out)
    assert len(seen) == len(heard) >= 9, (seen, heard)
    late = [(v - a) * 1000 for v, a in zip(seen, heard, strict=True)]
    assert all(abs(ms) <= 40 for ms in late), late
