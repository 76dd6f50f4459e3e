"""Which of an item's versions airs: nearest at or above 720p, then H.264 and AAC, then bitrate."""

from __future__ import annotations

from retrovue.domain.probe import AudioStream, ProbeResult
from retrovue.domain.sources.versions import Target, best_version


def version(
    height: int | None, codec: str = "h264", audio: str = "aac", bitrate: int | None = None
) -> ProbeResult:
    width = height * 16 // 9 if height else None
    return ProbeResult(
        1000, "mkv", codec, width, height, 25.0, bitrate, (AudioStream(audio, 2, None),)
    )


def pick(*versions: ProbeResult, target: Target = Target()) -> int:
    return best_version(list(range(len(versions))), lambda i: versions[i], target)


def test_the_nearest_height_at_or_above_the_channel_wins_over_taller_and_shorter_ones() -> None:
    assert pick(version(2160), version(480), version(1080), version(720)) == 3
    assert pick(version(2160), version(1080)) == 1


def test_below_the_channel_the_tallest_wins_and_an_unknown_height_comes_last() -> None:
    assert pick(version(None), version(360), version(576)) == 2
    assert pick(version(None), version(240)) == 1


def test_at_one_height_h264_then_aac_then_the_higher_bitrate_wins() -> None:
    assert pick(version(720, "hevc", bitrate=9_000_000), version(720, bitrate=2_000_000)) == 1
    assert pick(version(720, audio="ac3"), version(720, audio="aac")) == 1
    assert pick(version(720, bitrate=2_000_000), version(720, bitrate=4_000_000)) == 1


def test_versions_alike_in_every_rule_keep_the_servers_order() -> None:
    assert pick(version(720), version(720)) == 0


def test_the_rule_follows_the_target_it_is_given() -> None:
    assert pick(version(720), version(1080), target=Target(1920, 1080)) == 1
