"""Operator input parsing: clock times, durations, tags, weekdays, zones."""

from __future__ import annotations

import pytest

from retrovue.errors import ValidationError
from retrovue.infra.admin_services.parsing import (
    check_timezone,
    format_clock,
    parse_clock,
    parse_duration_ms,
    parse_tags,
    parse_weekdays,
)


@pytest.mark.parametrize(("text", "minutes"), [("06:00", 360), ("0:05", 5), ("23:59", 1439)])
def test_clock_times_become_minutes_after_midnight(text: str, minutes: int) -> None:
    assert parse_clock(text) == minutes
    assert parse_clock(format_clock(minutes)) == minutes


@pytest.mark.parametrize("text", ["24:00", "6", "06:60", "noon", ""])
def test_impossible_clock_times_are_refused_with_the_field_named(text: str) -> None:
    with pytest.raises(ValidationError, match="start must be HH:MM"):
        parse_clock(text, "start")


@pytest.mark.parametrize(
    ("text", "ms"),
    [("1320", 1_320_000), ("22:00", 1_320_000), ("00:22:00", 1_320_000), ("15.5", 15_500)],
)
def test_durations_accept_seconds_or_clock_notation(text: str, ms: int) -> None:
    assert parse_duration_ms(text) == ms


@pytest.mark.parametrize("text", ["0", "-3", "nan", "inf", "abc", "1:99:00"])
def test_durations_that_are_not_positive_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="duration"):
        parse_duration_ms(text)


def test_tags_are_trimmed_lowercased_and_deduplicated_in_order() -> None:
    assert parse_tags(" Sitcom, comedy,,sitcom ,80s") == ["sitcom", "comedy", "80s"]
    assert parse_tags(None) == []


def test_weekdays_take_short_or_long_names() -> None:
    assert parse_weekdays("mon,Wednesday,sun") == {0, 2, 6}
    assert parse_weekdays(None) == set(range(7))
    with pytest.raises(ValidationError, match="'funday'"):
        parse_weekdays("mon,funday")


def test_only_real_iana_zones_are_accepted() -> None:
    assert check_timezone("America/New_York") == "America/New_York"
    with pytest.raises(ValidationError, match="Mars/Olympus"):
        check_timezone("Mars/Olympus")
