"""Operator input to typed values: clock times, durations, tags, weekdays, dates, JSON."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import zoneinfo
from typing import Any, Final

from retrovue.errors import ValidationError

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_HMS = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d(?:\.\d{1,3})?)$")
# Broadcast days the time math can carry a day and a time zone past on every engine.
FIRST_DAY: Final = dt.date(1900, 1, 1)
LAST_DAY: Final = dt.date(9998, 12, 31)
# No asset runs longer than a week; no guide is asked for more than a year ahead.
MAX_DURATION_S: Final = 7 * 24 * 3600
MAX_HOURS: Final = 366 * 24
# Rule JSON is a small object: a few keys, short lists.
MAX_JSON_CHARS: Final = 100_000
MAX_JSON_DIGITS: Final = 30


def parse_clock(text: str, field: str = "time") -> int:
    """'06:30' -> minutes after midnight (0..1439)."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValidationError(f"{field} must be HH:MM between 00:00 and 23:59, not {text!r}", field)
    return int(match[1]) * 60 + int(match[2])


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_duration_ms(text: str, field: str = "duration") -> int:
    """'1320', '1320.5', '22:00' or '00:22:00' -> milliseconds, which must be positive."""
    raw = text.strip()
    try:
        seconds = float(raw)
    except ValueError:
        match = _HMS.match(raw)
        if not match:
            raise ValidationError(
                f"{field} must be seconds or HH:MM:SS, not {text!r}", field
            ) from None
        seconds = int(match[1] or 0) * 3600 + int(match[2]) * 60 + float(match[3])
    if not seconds > 0 or not math.isfinite(seconds):
        raise ValidationError(f"{field} must be greater than zero, not {text!r}", field)
    if seconds > MAX_DURATION_S:
        raise ValidationError(f"{field} must be at most a week, not {text!r}", field)
    return round(seconds * 1000)


def parse_tags(text: str | None) -> list[str]:
    """'a, b,,c' -> ['a', 'b', 'c'] (order kept, duplicates dropped, lower-cased)."""
    if not text:
        return []
    seen: dict[str, None] = {}
    for part in text.split(","):
        tag = part.strip().lower()
        if tag:
            seen[tag] = None
    return list(seen)


def parse_weekdays(text: str | None) -> set[int]:
    """'mon,wed' -> {0, 2}; None means every day."""
    if not text:
        return set(range(7))
    days: set[int] = set()
    for part in text.split(","):
        name = part.strip().lower()[:3]
        if name not in WEEKDAYS:
            raise ValidationError(
                f"weekday {part.strip()!r} is not one of {', '.join(WEEKDAYS)}", "weekdays"
            )
        days.add(WEEKDAYS.index(name))
    return days


def parse_date(text: str, field: str = "day") -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"{field} must be a date YYYY-MM-DD, not {text!r}", field) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            f"{field} must be between {FIRST_DAY} and {LAST_DAY}, not {day}", field
        )
    return day


def check_hours(hours: float, field: str = "hours") -> float:
    """A span ahead in hours: finite, positive, at most a year."""
    if not (math.isfinite(hours) and 0 < hours <= MAX_HOURS):
        raise ValidationError(
            f"{field} must be more than 0 and at most {MAX_HOURS}, not {hours:g}", field
        )
    return hours


def parse_json(raw: str | bytes, what: str = "rule") -> Any:
    """Operator JSON (text, or the bytes of a file) decoded with every limit both engines
    keep: UTF-8, finite numbers of at most 30 digits, nesting Python can decode."""
    too_long = ValidationError(f"{what} must be at most {MAX_JSON_CHARS} characters", what)
    if isinstance(raw, bytes):
        if len(raw) > 4 * MAX_JSON_CHARS:
            raise too_long
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValidationError(
                f"{what} is not UTF-8 text (bad byte at offset {error.start})", what
            ) from None
    if len(raw) > MAX_JSON_CHARS:
        raise too_long
    try:
        return json.loads(
            raw, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant
        )
    except json.JSONDecodeError as error:
        raise ValidationError(
            f"{what} is not valid JSON: {error.msg} at {error.pos}", what
        ) from None
    except _JsonLimit as error:
        raise ValidationError(f"{what} is not valid JSON: {error}", what) from None
    except RecursionError:
        raise ValidationError(f"{what} is not valid JSON: nested too deeply", what) from None


class _JsonLimit(ValueError):
    pass


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise _JsonLimit(f"a number of {len(text)} digits")
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > MAX_JSON_DIGITS + 10 or not math.isfinite(value := float(text)):
        raise _JsonLimit(f"number {text[:20]} is out of range")
    return value


def _json_constant(name: str) -> Any:
    raise _JsonLimit(f"{name} is not a number JSON allows")


def check_timezone(name: str) -> str:
    """The IANA zone name, if the zone exists."""
    try:
        if len(name) > 64:
            raise ValueError(name)
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(f"unknown timezone {name!r} (use an IANA name)", "timezone") from None
    return name
