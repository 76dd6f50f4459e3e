"""Choosing which of an item's versions (a 480p and a 1080p copy, say) the station airs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from retrovue.domain.probe import ProbeResult

T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    """The picture and codecs every channel sends (the runtime's output profile)."""

    width: int = 1280
    height: int = 720
    video_codec: str = "h264"
    audio_codec: str = "aac"


CHANNEL_OUTPUT: Final = Target()


def best_version(
    versions: Sequence[T], technical: Callable[[T], ProbeResult], target: Target = CHANNEL_OUTPUT
) -> T:
    """The version that best fits the channel output, by these rules in turn:

    1. resolution: the nearest height at or above the target's (no upscaling, the least
       scaling down); failing that, the tallest below it; an unknown height last;
    2. codec: the target's video codec first (then no video transcode is needed to match it),
       then the target's audio codec;
    3. bitrate: the higher, as the better copy of the same picture;
    4. the server's own order.
    """
    if not versions:
        raise ValueError("an item without versions has nothing to choose")
    ranked = sorted(range(len(versions)), key=lambda i: (_rank(technical(versions[i]), target), i))
    return versions[ranked[0]]


def _rank(t: ProbeResult, target: Target) -> tuple[int, int, int, int, int]:
    if t.height is None:
        fit, distance = 2, 0
    elif t.height >= target.height:
        fit, distance = 0, t.height - target.height
    else:
        fit, distance = 1, target.height - t.height
    video = 0 if (t.video_codec or "").lower() == target.video_codec else 1
    audio = 0 if any(a.codec.lower() == target.audio_codec for a in t.audio) else 1
    return fit, distance, video, audio, -(t.bitrate or 0)
