"""PyAV probing against real ffmpeg-made files, checked against ffprobe."""

from __future__ import annotations

from pathlib import Path

import pytest
from library_media import Clips, ffprobe_duration_ms

from retrovue.domain.probe import probe
from retrovue.domain.qc import check
from retrovue.errors import MediaError


def test_probe_durations_are_within_50_ms_of_ffprobe(clips: Clips) -> None:
    for clip in (clips.chaptered, clips.plain, clips.spot, clips.silent):
        result = probe(str(clip))
        assert result.duration_ms is not None
        assert abs(result.duration_ms - ffprobe_duration_ms(clip)) <= 50, clip.name


def test_probe_reads_codecs_size_rate_audio_and_chapters(clips: Clips) -> None:
    result = probe(str(clips.chaptered))
    assert result.container.startswith("matroska")
    assert (result.video_codec, result.width, result.height, result.fps) == ("h264", 96, 72, 25.0)
    assert [(a.codec, a.channels) for a in result.audio] == [("aac", 1)]
    assert result.bitrate and result.bitrate > 0
    assert [(c.start_ms, c.end_ms, c.title) for c in result.chapters] == [
        (0, 1000, "Cold open"),
        (1000, 3000, "Act 1"),
    ]


def test_a_zero_byte_file_raises_a_media_error_naming_it(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mkv"
    empty.write_bytes(b"")
    with pytest.raises(MediaError, match=r"empty\.mkv"):
        probe(str(empty))


def test_a_truncated_file_is_caught_even_though_its_header_is_whole(
    tmp_path: Path, clips: Clips
) -> None:
    data = clips.chaptered.read_bytes()
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaError, match="truncated"):
        probe(str(cut))


def test_qc_flags_a_clip_without_audio(clips: Clips) -> None:
    assert check(probe(str(clips.silent))) == ["no_audio"]
    assert check(probe(str(clips.plain))) == []
