"""Operator input to typed values: clock times, durations, tags, weekdays."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Final

from retrovue.errors import ValidationError

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_HMS = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d(?:\.\d{1,3})?)$")


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
    if not seconds > 0 or seconds != seconds or seconds == float("inf"):
        raise ValidationError(f"{field} must be greater than zero, not {text!r}", field)
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
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"{field} must be a date YYYY-MM-DD, not {text!r}", field) from None


def check_timezone(name: str) -> str:
    """The IANA zone name, if the zone exists."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"unknown timezone {name!r} (use an IANA name)", "timezone") from None
    return name
