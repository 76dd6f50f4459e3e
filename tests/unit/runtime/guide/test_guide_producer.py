"""The guide producer's arguments: the linear producers' encoding, a positive duration."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrovue.runtime.guide.producer import guide_args
from retrovue.runtime.profile import OutputProfile


def test_the_guide_ends_with_the_encoding_every_linear_producer_uses() -> None:
    # Playout splices producers without re-encoding: the output options must be the same.
    profile = OutputProfile()
    for music in (None, Path("/beds/bed.m4a")):
        args = guide_args(profile, Path("/data/guide.bmp"), 60.0, music, -6.0)
        assert args[-len(profile.encode_args()) :] == profile.encode_args()
        assert args[args.index("-t") + 1] == "60.000"


@pytest.mark.parametrize("seconds", [0.0, -1.0])
def test_a_guide_producer_needs_a_positive_duration(seconds: float) -> None:
    with pytest.raises(ValueError, match="positive duration"):
        guide_args(OutputProfile(), Path("/data/guide.bmp"), seconds)
