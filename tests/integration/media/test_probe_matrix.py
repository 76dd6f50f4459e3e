"""The library probe on every kind of real file: what airing needs, checked against ffprobe and
against signals of known loudness; and promotion carrying the facts into the catalog."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from media_kinds import KINDS, LOUDNESS_KINDS, MediaMaker
from sqlalchemy import select

from retrovue.domain.probe import probe
from retrovue.domain.subtitle_files import sidecars
from retrovue.ffmpeg import Ffmpeg
from retrovue.infra.bootstrap import Station
from retrovue.schedule_manager.models import CatalogAsset

pytestmark = pytest.mark.slow

FIELD_ORDERS = {"progressive": "progressive", "tt": "tt", "bb": "bb"}


def _ffprobe(path: Path) -> dict[str, Any]:
    binary = shutil.which("ffprobe")
    assert binary is not None, "ffprobe is required"
    out = subprocess.run(
        [binary, "-v", "error", "-show_streams", "-of", "json", str(path)],
        capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL,
    ).stdout  # fmt: skip
    return dict(json.loads(out))


def _ratio(text: str) -> tuple[int, int]:
    num, den = text.split(":")
    return int(num), int(den)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_the_probe_reads_scan_shape_rate_and_streams_as_ffprobe_does(
    name: str, media: MediaMaker
) -> None:
    kind = KINDS[name]
    path = media.path(kind)
    result = probe(str(path))
    streams = _ffprobe(path)["streams"]
    video = next(s for s in streams if s["codec_type"] == "video")
    facts = result.video
    assert facts is not None
    assert facts.interlaced == kind.interlaced
    if facts.interlace_from == "stream":
        assert facts.field_order == video["field_order"]
    else:  # the stream does not say: ffprobe knows no more than we did before `idet`
        assert video.get("field_order", "unknown") == "unknown"
    assert facts.sar == _ratio(video["sample_aspect_ratio"])
    assert facts.dar == _ratio(video["display_aspect_ratio"])
    assert facts.vfr == name.startswith("phone_vfr")
    audio = [s for s in streams if s["codec_type"] == "audio"]
    assert [a.layout for a in result.audio] == [s["channel_layout"] for s in audio]
    assert [a.language or "und" for a in result.audio] == [
        s.get("tags", {}).get("language", "und") for s in audio
    ]
    assert all(a.loudness_lufs is not None for a in result.audio)
    subtitles = [s for s in streams if s["codec_type"] == "subtitle"]
    assert [(s.language, s.image) for s in result.subtitles] == [
        (s["tags"]["language"], False) for s in subtitles
    ]


def test_interlacing_the_stream_does_not_flag_is_found_by_idet(media: MediaMaker) -> None:
    flagged = probe(str(media.path(KINDS["dvd_480i_4x3_mpeg2"])))
    unflagged = probe(str(media.path(KINDS["xvid_480i_unflagged"])))
    assert flagged.video is not None and unflagged.video is not None
    assert (flagged.video.field_order, flagged.video.interlace_from) == ("tt", "stream")
    assert (unflagged.video.field_order, unflagged.video.interlace_from) == ("tt", "idet")
    progressive = probe(str(media.path(KINDS["anamorphic_480p_16x9"])))
    assert progressive.video is not None and progressive.video.field_order == "progressive"


def test_loudness_of_a_reference_tone_reads_as_ebu_tech_3341_says(
    ffmpeg: Ffmpeg, tmp_path: Path
) -> None:
    # 1 kHz at -23 dBFS on both channels of a stereo signal is -23.0 LUFS, true peak -23 dBTP
    # (the sine source peaks at 1/8, -18.06 dBFS).
    path = tmp_path / "reference.mkv"
    ffmpeg.run([
        "-f", "lavfi", "-i", "color=c=gray:s=64x48:r=25",
        "-f", "lavfi", "-i", "sine=f=1000:r=48000",
        "-af", "volume=-4.94dB,pan=stereo|c0=c0|c1=c0",
        "-t", "5", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "flac", str(path),
    ])  # fmt: skip
    [stream] = probe(str(path)).audio
    assert stream.loudness_lufs is not None and stream.true_peak_dbtp is not None
    assert abs(stream.loudness_lufs - -23.0) <= 0.2
    assert abs(stream.true_peak_dbtp - -23.0) <= 0.2


def test_each_audio_stream_is_measured_as_it_airs_and_quiet_and_loud_files_differ(
    media: MediaMaker,
) -> None:
    loud = probe(str(media.path(LOUDNESS_KINDS["programme_loud"]))).audio[0]
    quiet = probe(str(media.path(LOUDNESS_KINDS["commercial_quiet"]))).audio[0]
    assert loud.loudness_lufs is not None and abs(loud.loudness_lufs - -14.0) <= 1.0
    assert quiet.loudness_lufs is not None and abs(quiet.loudness_lufs - -30.0) <= 1.0
    # The commercial's clicks peak far above its loudness: a static gain alone would clip them.
    assert quiet.true_peak_dbtp is not None and quiet.true_peak_dbtp > -8.0
    feature = probe(str(media.path(KINDS["feature_1080p23976_ac3_two_languages"])))
    assert [a.language for a in feature.audio] == ["eng", "spa"]
    assert all(a.loudness_lufs is not None for a in feature.audio)
    assert probe(str(media.path(KINDS["video_only_h264"]))).audio == ()


def test_subtitle_files_beside_a_video_are_found_with_their_language_and_forced_flag(
    tmp_path: Path,
) -> None:
    video = tmp_path / "Show - S01E01.mkv"
    video.write_bytes(b"")
    for name in ("Show - S01E01.srt", "Show - S01E01.en.forced.srt", "Show - S01E01.deu.ass"):
        (tmp_path / name).write_text("1\n00:00:00,000 --> 00:00:01,000\nHi\n")
    (tmp_path / "Show - S01E02.en.srt").write_text("")
    found = {(s.language, s.forced, s.codec) for s in sidecars(str(video))}
    assert found == {("und", False, "subrip"), ("eng", True, "subrip"), ("ger", False, "ass")}


def test_promotion_carries_the_probed_facts_into_the_catalog(
    station: Station, media: MediaMaker, tmp_path: Path
) -> None:
    folder = tmp_path / "Movies" / "Feature (1999)"
    folder.mkdir(parents=True)
    shutil.copyfile(
        media.path(KINDS["feature_1080p23976_ac3_two_languages"]), folder / "Feature (1999).mkv"
    )
    station.library.add_source("Movies", "filesystem", [str(tmp_path / "Movies")])
    station.library.sync("Movies")
    [asset] = station.promotion.promote(source="Movies")
    with station.db.reading() as session:
        facts = session.scalar(select(CatalogAsset.media).where(CatalogAsset.id == asset["id"]))
    assert facts is not None
    assert facts["video"]["rate"] == [24000, 1001]
    assert [(a["language"], a["layout"]) for a in facts["audio"]] == [
        ("eng", "5.1(side)"),
        ("spa", "5.1(side)"),
    ]
    assert all(isinstance(a["loudness_lufs"], float) for a in facts["audio"])
    assert [s["language"] for s in facts["subtitles"]] == ["eng"]
