"""Admin services validate before they write, and a refused change writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tiny_media import make_clip

from retrovue.errors import ConflictError, NotFoundError, ValidationError
from retrovue.infra.bootstrap import Station, open_station


@pytest.fixture
def station(database_url: str) -> Iterator[Station]:
    opened = open_station(database_url)
    yield opened
    opened.close()


def _snapshot(station: Station) -> object:
    return (
        station.channels.list_channels(),
        station.templates.list_templates(),
        station.assets.list_assets(),
    )


def test_channel_numbers_are_unique(station: Station) -> None:
    station.channels.create_channel(2, "Two")
    with pytest.raises(ConflictError, match="channel number 2 is already taken"):
        station.channels.create_channel(2, "Another Two")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
        ({"grid_size": 25}, "grid size must be 15, 30 or 60"),
        ({"grid_size": 30, "grid_offset": 30}, "grid offset must be at least 0"),
        ({"grid_size": 30, "grid_offset": -1}, "grid offset must be at least 0"),
        ({"rollover_minutes": 370}, "rollover must fall on the 30-minute grid"),
        ({"name": "x" * 201}, "at most 200 characters"),
        ({"name": "  "}, "must not be empty"),
        ({"number": 100_000}, "between 1 and 99999"),
        ({"number": 0}, "between 1 and 99999"),
    ],
)
def test_bad_channel_settings_are_refused_and_nothing_is_written(
    station: Station, kwargs: dict[str, object], message: str
) -> None:
    before = _snapshot(station)
    with pytest.raises(ValidationError, match=message):
        args: dict[str, object] = {"number": 3, "name": "Three", **kwargs}
        station.channels.create_channel(**args)  # type: ignore[arg-type]
    assert _snapshot(station) == before


def test_a_grid_offset_moves_the_grid_and_the_rollover_with_it(station: Station) -> None:
    view = station.channels.create_channel(
        4, "Four", grid_size=15, grid_offset=5, rollover_minutes=6 * 60 + 5
    )
    assert (view["grid_size"], view["grid_offset"], view["rollover"]) == (15, 5, "06:05")


def test_overlapping_blocks_are_refused_with_both_named(station: Station) -> None:
    station.templates.create_template("Day")
    station.templates.add_block("Day", 6 * 60, 12 * 60, {"tags": ["news"]})
    with pytest.raises(ValidationError, match="11:00-13:00 overlaps block 06:00-12:00"):
        station.templates.add_block("Day", 11 * 60, 13 * 60, {"tags": ["sitcom"]})
    assert len(station.templates.get_template("Day")["blocks"]) == 1


def test_a_rule_with_an_unknown_key_is_refused_naming_the_key(station: Station) -> None:
    station.templates.create_template("Day")
    with pytest.raises(ValidationError, match="unknown key 'tagz'"):
        station.templates.add_block("Day", 360, 360, {"tagz": []})


def test_a_stored_rule_spells_out_every_default(station: Station) -> None:
    station.templates.create_template("Day")
    block = station.templates.add_block("Day", 360, 360, {"tags": ["sitcom"]})
    assert block["rule"]["order"] == "sequential"
    assert block["rule"]["breaks"] == "chapters"
    assert block["rule"]["filler_tags"] == ["commercial"]


def test_assigning_a_template_off_the_channel_grid_is_refused(station: Station) -> None:
    station.channels.create_channel(2, "Two", grid_size=60)
    station.templates.create_template("Day")
    station.templates.add_block("Day", 6 * 60 + 30, 6 * 60 + 30, {"tags": ["x"]})
    with pytest.raises(ValidationError, match="off the channel's 60-minute grid"):
        station.schedule.assign_template_for_day(2, "Day", dt.date(2026, 12, 1))
    assert station.schedule.list_assignments(2) == []


def test_a_range_assignment_takes_only_the_chosen_weekdays_and_reassigns(
    station: Station,
) -> None:
    station.channels.create_channel(2, "Two")
    for name in ("Weekday", "Weekend"):
        station.templates.create_template(name)
        station.templates.add_block(name, 360, 360, {"tags": [name.lower()]})
    result = station.schedule.assign_template(
        2, "Weekday", dt.date(2026, 11, 30), dt.date(2026, 12, 6), {0, 1, 2, 3, 4}
    )
    assert result["days"] == ["2026-11-30"] + [f"2026-12-0{d}" for d in range(1, 5)]
    station.schedule.assign_template(2, "Weekend", dt.date(2026, 12, 5), dt.date(2026, 12, 6))
    station.schedule.assign_template_for_day(2, "Weekend", dt.date(2026, 12, 4))
    assigned = {a["day"]: a["template"] for a in station.schedule.list_assignments(2)}
    assert assigned["2026-12-04"] == "Weekend"
    assert assigned["2026-12-01"] == "Weekday"
    assert len(assigned) == 7


def test_a_template_with_gaps_warns_that_they_air_the_slate(station: Station) -> None:
    station.channels.create_channel(2, "Two")
    station.templates.create_template("Evening")
    station.templates.add_block("Evening", 18 * 60, 22 * 60, {"tags": ["drama"]})
    result = station.schedule.assign_template_for_day(2, "Evening", dt.date(2026, 12, 1))
    assert "1200 minutes" in result["warnings"][0]


def test_a_template_in_use_cannot_be_removed(station: Station) -> None:
    station.channels.create_channel(2, "Two")
    station.templates.create_template("Day")
    station.schedule.assign_template_for_day(2, "Day", dt.date(2026, 12, 1))
    with pytest.raises(ConflictError, match="assigned to broadcast days"):
        station.templates.remove_template("Day")


def test_assets_need_a_real_file_and_a_positive_duration(station: Station, tmp_path: Path) -> None:
    media = make_clip(tmp_path / "spot.mkv")
    with pytest.raises(ValidationError, match="file not found"):
        station.assets.add_asset("Spot", 30_000, str(tmp_path / "missing.mp4"))
    with pytest.raises(ValidationError, match="greater than zero"):
        station.assets.add_asset("Spot", 0, str(media))
    with pytest.raises(ValidationError, match="kind must be one of"):
        station.assets.add_asset("Spot", 30_000, str(media), kind="infomercial")
    view = station.assets.add_asset("Spot", 30_000, str(media), ["commercial"], "commercial")
    assert (view["canonical"], view["available"]) == (False, True)
    approved = station.assets.update_asset(view["id"], canonical=True)
    assert approved["canonical"] is True
    assert station.assets.list_assets(canonical_only=True, tag="commercial") == [approved]


def test_unknown_things_are_named_when_missing(station: Station) -> None:
    with pytest.raises(NotFoundError, match="channel 9 not found"):
        station.channels.get_channel(9)
    with pytest.raises(NotFoundError, match="template 'Nope' not found"):
        station.templates.add_block("Nope", 0, 60, {})
    with pytest.raises(NotFoundError, match="asset 42 not found"):
        station.assets.get_asset(42)


def test_removing_a_channel_removes_its_assignments(station: Station) -> None:
    station.channels.create_channel(2, "Two")
    station.templates.create_template("Day")
    station.schedule.assign_template_for_day(2, "Day", dt.date(2026, 12, 1))
    station.channels.remove_channel(2)
    station.templates.remove_template("Day")
    assert station.channels.list_channels() == []


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (lambda s, m, d: s.assets.add_asset("T" * 501, 1000, m), "title must be at most 500"),
        (lambda s, m, d: s.assets.add_asset("T", 1000, m, season=2**31), "season must be between"),
        (lambda s, m, d: s.assets.add_asset("T", 2**63, m), "duration_ms must be between"),
        (
            lambda s, m, d: s.assets.add_asset("T", 1000, m, tags=["a\x00b"]),
            "must not contain a NUL",
        ),
        (lambda s, m, d: s.assets.add_asset("T", 1000, m, description="\ud800"), "not valid UTF-8"),
        (lambda s, m, d: s.channels.create_channel(3, "Three", group="G" * 201), "at most 200"),
        (lambda s, m, d: s.templates.create_template("N" * 201), "name must be at most 200"),
        (
            lambda s, m, d: s.templates.add_block("Day", 0, 60, {"max_minutes": float("inf")}),
            "must not hold NaN or Infinity",
        ),
        (
            lambda s, m, d: s.library.add_source("P", "plex", url="not a url", token="t"),
            "--url must be an http",
        ),
        (lambda s, m, d: s.library.add_source("S" * 201, "filesystem", [d]), "at most 200"),
    ],
    ids=[
        "long-title",
        "season-past-32-bits",
        "duration-past-64-bits",
        "nul-in-json",
        "lone-surrogate",
        "long-group",
        "long-template-name",
        "infinity-in-rule",
        "plex-url",
        "long-source-name",
    ],
)
def test_a_value_only_one_engine_would_keep_is_refused_first_on_both(
    station: Station, tmp_path: Path, write: Any, message: str
) -> None:
    media = make_clip(tmp_path / "spot.mkv")
    station.templates.create_template("Day")
    before = (_snapshot(station), station.library.list_sources())
    with pytest.raises(ValidationError, match=message):
        write(station, str(media), str(tmp_path))
    assert (_snapshot(station), station.library.list_sources()) == before


def test_a_number_past_any_id_names_nothing_on_both_engines(station: Station) -> None:
    for lookup, kind in (
        (station.assets.get_asset, "asset"),
        (station.channels.get_channel, "channel"),
        (station.library.get_item, "library item"),
    ):
        with pytest.raises(NotFoundError, match=f"{kind} {2**70} not found"):
            lookup(2**70)
    with pytest.raises(NotFoundError, match="library item"):
        station.promotion.promote([2**64])
