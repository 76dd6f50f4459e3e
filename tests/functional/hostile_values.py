"""Hostile values for the CLI's options, by what an option takes: each must be refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from hypothesis import strategies as st

from retrovue.schedule_manager.models import RATING_RANK

Value = st.SearchStrategy[str]

BAD_CHARS = st.sampled_from(["\x00", "\ud800", "\udcff", "a\x00b", "\udfff\ud800"])


def poisoned(base: Value) -> Value:
    """Text carrying a NUL or a lone surrogate (what argv can hold when bytes are not UTF-8)."""
    return st.tuples(base, BAD_CHARS, base).map("".join)


WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs")), max_size=8)


def too_long(limit: int) -> Value:
    """Text past a column's length, with no blank edges a strip could remove."""
    return st.integers(limit + 1, limit + 300).flatmap(
        lambda n: st.sampled_from(["x", "é", "界", "😀"]).map(lambda c: c * n)
    )


def text(limit: int | None = None) -> Value:
    choices = [poisoned(WORDS)]
    if limit is not None:
        choices.append(too_long(limit))
    return st.one_of(*choices)


def huge_digits() -> Value:
    return st.integers(20, 6000).map(lambda n: "9" * n)


NOT_INTEGERS = st.sampled_from(["nan", "inf", "1e300", "1.5", "", " ", "0x10", "--", "٣"])


def integers_where(bad: Callable[[int], bool]) -> Value:
    """Whole numbers an option must refuse (`bad`), beyond 64 bits included, and non-numbers."""
    numbers = st.one_of(
        st.integers(), st.integers(-100, 100), st.integers(2**31 - 3, 2**64 + 3)
    ).filter(bad)
    return st.one_of(numbers.map(str), huge_digits(), NOT_INTEGERS)


def id_other_than(*existing: int) -> Value:
    """Ids or numbers that name nothing: any whole number but those that exist."""
    return integers_where(lambda n: n not in existing)


def bad_dates() -> Value:
    far = st.one_of(
        st.dates(max_value=dt.date(1899, 12, 31)),
        st.dates(min_value=dt.date(9999, 1, 1)),
    ).map(lambda d: d.isoformat())
    return st.one_of(
        far,
        st.sampled_from(["9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30", "2026-13-01"]),
        st.sampled_from(["12/01/2026", "today", "", "2026-12-01T00:00"]),
        poisoned(st.just("2026-12-01")),
    )


def bad_numbers_of_hours() -> Value:
    return st.one_of(
        st.sampled_from(["nan", "-nan", "inf", "-inf", "1e300", "1e400", "0", "-1", "8785"]),
        st.floats(max_value=0).map(repr),
        st.floats(min_value=8784.5, allow_infinity=False).map(repr),
        huge_digits(),
    )


def bad_durations() -> Value:
    return st.one_of(
        st.sampled_from(["0", "-30", "nan", "inf", "1e300", "00:00:00", "1:99:00", "abc"]),
        st.floats(max_value=0).map(repr),
        st.integers(7 * 24 * 3600 + 1).map(str),
        huge_digits(),
    )


def bad_clocks() -> Value:
    return st.one_of(
        st.sampled_from(["24:00", "06:60", "6", "-01:00", "99:99", "", "06:00:00"]),
        st.integers(24, 10**6).map(lambda h: f"{h}:00"),
        poisoned(st.just("06:00")),
    )


def not_in(known: set[str]) -> Value:
    """Names or words that are none of `known`."""
    return st.one_of(poisoned(WORDS), WORDS.filter(lambda w: w not in known), too_long(200))


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NOT_WEEKDAYS = st.one_of(
    poisoned(WORDS),
    WORDS.filter(lambda w: any(p.strip().lower()[:3] not in WEEKDAYS for p in w.split(","))),
    st.sampled_from(["funday", "mon,xyz", "1,2", ",", "mo", "mo;tu"]),
).filter(bool)


NOT_A_ZONE = st.one_of(
    WORDS.map(lambda w: f"Nowhere/{w}"), too_long(64), poisoned(st.just("UTC")), st.just("")
)
HOSTILE_JSON = st.one_of(
    st.integers(1000, 100_000).map(lambda n: "[" * n + "]" * n),
    st.integers(1000, 100_000).map(lambda n: '{"tags": ' + "[" * n + "]" * n + "}"),
    st.integers(31, 5000).map(lambda n: '{"break_count": ' + "7" * n + "}"),
    st.sampled_from(
        [
            '{"min_minutes": NaN}',
            '{"max_minutes": Infinity}',
            '{"max_minutes": -Infinity}',
            '{"max_minutes": 1e400}',
            '{"tags": "sitcom"}',
            '{"tagz": []}',
            "[]",
            '"rule"',
            "{oops",
            "",
            '{"order": "alphabetical"}',
            '{"break_count": 21}',
            '{"max_rating": "XXX"}',
            '{"min_minutes": 10, "max_minutes": 5}',
        ]
    ),
    st.integers(100_001, 200_000).map(lambda n: '{"tags": ["' + "x" * n + '"]}'),
)
ASSET_KINDS = {"program", "commercial", "promo", "bumper", "station_id"}
RATINGS = st.one_of(
    poisoned(WORDS),
    WORDS.filter(lambda r: r.strip().upper() not in RATING_RANK),
    st.sampled_from(["PG-14", "TV-MAX", "R18", "NC17", "X"]),
)
NOT_A_URL = st.one_of(
    st.sampled_from(["not a url", "ftp://plex:32400", "http://", "plex:32400", "http://h:99999"]),
    WORDS.filter(lambda w: "://" not in w),
)
