"""Operator input parsing: clock times, durations, tags, weekdays, zones, dates, JSON."""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest

from retrovue.errors import ValidationError
from retrovue.infra.admin_services.parsing import (
    LAST_DAY,
    check_hours,
    check_timezone,
    format_clock,
    parse_clock,
    parse_date,
    parse_duration_ms,
    parse_json,
    parse_tags,
    parse_weekdays,
)
from retrovue.infra.limits import check_json, check_row, check_text
from retrovue.schedule_manager.models import CatalogAsset


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


@pytest.mark.parametrize("text", ["0001-01-01", "1899-12-31", "9999-12-30", "9999-12-31"])
def test_days_the_time_math_cannot_carry_are_refused_naming_the_range(text: str) -> None:
    with pytest.raises(ValidationError, match="day must be between 1900-01-01 and 9998-12-31"):
        parse_date(text)
    assert parse_date(LAST_DAY.isoformat()) == dt.date(9998, 12, 31)


@pytest.mark.parametrize("hours", [math.nan, math.inf, -math.inf, 1e300, 0.0, -1.0, 8785.0])
def test_guide_spans_must_be_finite_positive_and_at_most_a_year(hours: float) -> None:
    with pytest.raises(ValidationError, match="hours must be more than 0"):
        check_hours(hours)
    assert check_hours(72.0) == 72.0


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"break_count": ' + "7" * 5000 + "}", "a number of 5000 digits"),
        ("[" * 40_000 + "]" * 40_000, "nested too deeply"),
        (b'{"tags": ["caf\xe9"]}', "not UTF-8 text (bad byte at offset 14)"),
        ('{"min_minutes": NaN}', "NaN is not a number JSON allows"),
        ('{"max_minutes": Infinity}', "Infinity is not a number JSON allows"),
        ('{"max_minutes": 1e400}', "number 1e400 is out of range"),
        ("{oops", "not valid JSON: Expecting property name"),
        ('"' + "x" * 100_001 + '"', "at most 100000 characters"),
    ],
    ids=["5000-digits", "deep", "latin-1", "nan", "infinity", "overflow", "broken", "huge"],
)
def test_rule_json_beyond_any_limit_is_refused_in_one_message(
    raw: str | bytes, message: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)) as refused:
        parse_json(raw)
    assert "\n" not in str(refused.value)


def test_rule_json_within_the_limits_decodes_as_json_does() -> None:
    assert parse_json('{"tags": ["news"], "min_minutes": 1.5, "break_count": 3}') == {
        "tags": ["news"],
        "min_minutes": 1.5,
        "break_count": 3,
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a\x00b", "must not contain a NUL"),
        ("\udc80", "is not valid UTF-8 text"),
        ("x" * 21, "must be at most 20 characters, not 21"),
    ],
)
def test_text_either_engine_would_store_differently_is_refused(value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check_text(value, "rating", 20)


def test_json_with_non_finite_numbers_or_deep_nesting_is_refused() -> None:
    deep: list[object] = []
    for _ in range(40):
        deep = [deep]
    for value, message in (([1.0, math.nan], "NaN or Infinity"), (deep, "nested too deeply")):
        with pytest.raises(ValidationError, match=message):
            check_json(value, "markers")
    assert check_json([{"kind": "chapter", "start_ms": 0}], "markers")


def test_a_catalog_row_is_checked_against_its_own_column_types() -> None:
    check_row(CatalogAsset(title="T" * 500, duration_ms=2**63 - 1, season=2**31 - 1, tags=[]))
    for fields, message in (
        ({"title": "T" * 501}, "title must be at most 500"),
        ({"season": 2**31}, "season must be between"),
        ({"duration_ms": 2**63}, "duration_ms must be between"),
        ({"tags": [math.inf]}, "tags must not hold NaN or Infinity"),
    ):
        with pytest.raises(ValidationError, match=message):
            check_row(CatalogAsset(**fields))
