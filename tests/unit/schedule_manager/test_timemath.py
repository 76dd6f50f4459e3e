"""Broadcast days, DST days, grid boundaries and block spans."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.schedule_manager.timemath import ChannelClock, from_ms, local_to_ms, to_ms

HOUR = 3_600_000
ZONES = ("America/New_York", "Australia/Lord_Howe", "Europe/London", "UTC", "Asia/Kolkata")


def _utc(*args: int) -> int:
    return to_ms(dt.datetime(*args, tzinfo=dt.UTC))


def test_new_york_spring_forward_broadcast_day_lasts_23_hours() -> None:
    clock = ChannelClock("America/New_York", rollover_minutes=360)
    start, end = clock.day_span_ms(dt.date(2026, 3, 7))
    assert start == _utc(2026, 3, 7, 11)
    assert end - start == 23 * HOUR


def test_new_york_fall_back_broadcast_day_lasts_25_hours() -> None:
    clock = ChannelClock("America/New_York", rollover_minutes=360)
    start, end = clock.day_span_ms(dt.date(2026, 10, 31))
    assert end - start == 25 * HOUR


def test_lord_howe_days_of_its_half_hour_shifts_last_23_5_and_24_5_hours() -> None:
    clock = ChannelClock("Australia/Lord_Howe", rollover_minutes=300)
    lengths = {
        (end - start) / HOUR
        for day in (dt.date(2026, 4, 4), dt.date(2026, 10, 3))
        for start, end in [clock.day_span_ms(day)]
    }
    assert lengths == {24.5, 23.5}


def test_a_nonexistent_local_time_moves_to_the_transition_instant() -> None:
    tz = ChannelClock("America/New_York").tz
    # 02:30 on 2026-03-08 does not exist in New York; 03:00 EDT (07:00Z) is the next instant.
    assert local_to_ms(dt.date(2026, 3, 8), 150, tz) == _utc(2026, 3, 8, 7)


def test_an_ambiguous_local_time_takes_its_first_occurrence() -> None:
    tz = ChannelClock("America/New_York").tz
    # 01:30 on 2026-11-01 happens twice; the first is EDT (05:30Z).
    assert local_to_ms(dt.date(2026, 11, 1), 90, tz) == _utc(2026, 11, 1, 5, 30)


def test_the_repeated_hour_has_grid_boundaries_in_both_readings() -> None:
    clock = ChannelClock("America/New_York", grid_minutes=30)
    points = clock.grid().between(_utc(2026, 11, 1, 4), _utc(2026, 11, 1, 8))
    assert [from_ms(p).strftime("%H:%M") for p in points] == [
        "04:00", "04:30", "05:00", "05:30", "06:00", "06:30", "07:00", "07:30", "08:00",
    ]  # fmt: skip


def test_a_block_ending_at_the_rollover_closes_the_day() -> None:
    clock = ChannelClock("UTC", rollover_minutes=360)
    day = dt.date(2026, 12, 1)
    start, end = clock.block_span_ms(day, 120, 360)
    assert (start, end) == (_utc(2026, 12, 2, 2), _utc(2026, 12, 2, 6))


def test_a_block_whose_end_equals_its_start_covers_the_whole_day() -> None:
    clock = ChannelClock("America/New_York", rollover_minutes=360)
    day = dt.date(2026, 10, 31)
    assert clock.block_span_ms(day, 0, 0) == clock.day_span_ms(day)


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    rollover=st.sampled_from((0, 300, 360, 120)),
    instant=st.integers(_utc(2026, 1, 1), _utc(2027, 1, 1)),
)
def test_every_instant_lies_in_the_span_of_its_broadcast_day(
    zone: str, rollover: int, instant: int
) -> None:
    clock = ChannelClock(zone, rollover_minutes=rollover)
    start, end = clock.day_span_ms(clock.broadcast_day(instant))
    assert start <= instant < end


@settings(max_examples=40, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    grid=st.sampled_from((15, 30, 60)),
    offset_steps=st.integers(0, 3),
    day=st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
)
def test_grid_boundaries_read_grid_times_on_the_local_wall_clock(
    zone: str, grid: int, offset_steps: int, day: dt.date
) -> None:
    offset = (offset_steps * 15) % grid
    clock = ChannelClock(zone, grid, offset, rollover_minutes=offset)
    start, end = clock.day_span_ms(day)
    points = clock.grid().between(start, end)
    assert points[0] == start and points[-1] == end
    assert points == sorted(set(points))
    for point in points[1:-1]:
        local = from_ms(point).astimezone(clock.tz)
        assert (local.hour * 60 + local.minute - offset) % grid == 0 and local.second == 0
