"""Template blocks on the 24-hour clock: overlap, coverage, fit to a channel's grid."""

from __future__ import annotations

import pytest

from retrovue.errors import ValidationError
from retrovue.infra.admin_services.blocks import check_fits_channel, overlaps, uncovered_minutes


def test_a_block_whose_end_equals_its_start_covers_the_whole_day() -> None:
    assert uncovered_minutes([(360, 360)]) == 0
    assert overlaps((360, 360), (0, 30))


def test_blocks_that_cross_midnight_overlap_what_they_cover_and_nothing_else() -> None:
    assert overlaps((22 * 60, 2 * 60), (60, 180))
    assert not overlaps((22 * 60, 2 * 60), (2 * 60, 6 * 60))
    assert not overlaps((6 * 60, 12 * 60), (12 * 60, 18 * 60))


def test_uncovered_minutes_count_the_gaps_between_blocks() -> None:
    assert uncovered_minutes([(360, 720), (780, 360)]) == 60


def test_blocks_off_the_channel_grid_are_refused() -> None:
    check_fits_channel([(360, 390)], grid=30, offset=0, rollover=360, where="t")
    with pytest.raises(ValidationError, match="off the channel's 30-minute grid"):
        check_fits_channel([(360, 375)], grid=30, offset=0, rollover=360, where="t")
    check_fits_channel([(365, 395)], grid=30, offset=5, rollover=365, where="t")


def test_a_block_straddling_the_rollover_is_refused() -> None:
    with pytest.raises(ValidationError, match="straddles"):
        check_fits_channel([(300, 420)], grid=30, offset=0, rollover=360, where="t")


@pytest.mark.parametrize(
    ("block", "rollover"),
    [((22 * 60, 2 * 60), 0), ((23 * 60, 7 * 60), 360), ((23 * 60, 30), 0), ((0, 120), 60)],
)
def test_a_block_crossing_midnight_that_contains_the_rollover_is_refused(
    block: tuple[int, int], rollover: int
) -> None:
    with pytest.raises(ValidationError, match="straddles"):
        check_fits_channel([block], grid=30, offset=0, rollover=rollover, where="t")


@pytest.mark.parametrize(
    ("block", "rollover"),
    [((22 * 60, 0), 0), ((0, 120), 0), ((2 * 60, 6 * 60), 360), ((22 * 60, 6 * 60), 360)],
)
def test_a_block_that_ends_or_starts_at_the_rollover_is_accepted(
    block: tuple[int, int], rollover: int
) -> None:
    check_fits_channel([block], grid=30, offset=0, rollover=rollover, where="t")
