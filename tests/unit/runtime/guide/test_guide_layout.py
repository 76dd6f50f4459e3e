"""The guide's grid from plain schedule data: entries, holes, "now", the local window."""

from __future__ import annotations

import datetime as dt

from guide_data import THREE, at, channel, item, three_channels

from retrovue.runtime.guide.layout import TO_BE_ANNOUNCED, build_layout, window

NOW = at(47)


def test_breaks_and_pad_join_their_programme_in_one_entry_with_its_times() -> None:
    layout = build_layout("RetroVue", "UTC", NOW, THREE, three_channels())
    row = layout.rows[0]
    assert [c.title for c in row.cells] == ["Twilight Zone", "Star Trek", "Perry Mason"]
    assert row.cells[0].when == "18:30-19:00"  # its break (18:58-19:00) is inside it
    assert (row.cells[0].left, row.cells[0].right) == (0.0, 1 / 3)
    assert row.cells[-1].right == 1.0  # cut at the window's end (20:00), not at 20:30


def test_the_entry_airing_now_is_the_one_highlighted_on_every_row() -> None:
    layout = build_layout("RetroVue", "UTC", NOW, THREE, three_channels())
    airing = {row.number: [c.title for c in row.cells if c.now] for row in layout.rows}
    assert airing == {2: ["Twilight Zone"], 4: ["Looney Tunes"], 7: ["Casablanca"]}
    assert layout.now == 17 / 90  # 18:47 in a window from 18:30


def test_a_channel_without_items_is_programming_to_be_announced_and_not_highlighted() -> None:
    layout = build_layout("RetroVue", "UTC", NOW, [channel(9, "Empty")], {})
    (row,) = layout.rows
    assert [(c.title, c.left, c.right, c.now) for c in row.cells] == [
        (TO_BE_ANNOUNCED, 0.0, 1.0, False)
    ]


def test_a_hole_in_the_horizon_is_announced_between_the_entries_around_it() -> None:
    items = {3: [item(3, 30, 40, "Early"), item(3, 70, 90, "Late")]}
    (row,) = build_layout("RetroVue", "UTC", NOW, [channel(3, "Holes")], items).rows
    assert [c.title for c in row.cells] == ["Early", TO_BE_ANNOUNCED, "Late", TO_BE_ANNOUNCED]
    hole = row.cells[1]
    assert (hole.left, hole.right, hole.now, hole.filler) == (1 / 9, 4 / 9, False, True)


def test_a_programme_no_longer_canonical_is_not_announced_by_name() -> None:
    items = {5: [item(5, 30, 60, "Withdrawn", canonical=False), item(5, 60, 120, "Cleared")]}
    (row,) = build_layout("RetroVue", "UTC", NOW, [channel(5, "Gated")], items).rows
    assert [c.title for c in row.cells] == ["Station break", "Cleared"]
    assert row.cells[0].filler


def test_rows_follow_channel_numbers_and_leave_out_inactive_channels() -> None:
    channels = [channel(12, "Late"), channel(3, "Off", active=False), channel(1, "First")]
    layout = build_layout("RetroVue", "UTC", NOW, channels, {})
    assert [r.number for r in layout.rows] == [1, 12]


def test_the_window_and_its_ruler_open_on_the_local_half_hour() -> None:
    # Kathmandu is UTC+05:45: 18:47 UTC is 00:32 local, so the window opens at 00:30 local.
    layout = build_layout("RetroVue", "Asia/Kathmandu", NOW, THREE, three_channels())
    assert layout.clock == "00:32"
    assert layout.ticks == ("00:30", "01:00", "01:30")
    assert layout.now == 2 / 90


def test_the_span_to_ask_the_schedule_for_is_the_window_the_ruler_shows() -> None:
    assert window(NOW, "UTC") == (at(30), at(120))
    assert window(at(30), "UTC") == (at(30), at(120))  # on the half hour, it opens there
    assert window(NOW, "Asia/Kathmandu") == (at(45), at(135))  # 00:30 local is 18:45 UTC


def test_the_layout_changes_with_the_minute_and_not_within_it() -> None:
    data = three_channels()
    first = build_layout("RetroVue", "UTC", NOW, THREE, data)
    same = build_layout("RetroVue", "UTC", NOW + dt.timedelta(seconds=59), THREE, data)
    later = build_layout("RetroVue", "UTC", NOW + dt.timedelta(minutes=1), THREE, data)
    assert first == same
    assert later != first and later.clock == "18:48"
