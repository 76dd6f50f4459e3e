"""Where blocks sit on the day strip, how a preview groups breaks, the rule as form fields."""

from __future__ import annotations

import datetime as dt
from typing import get_args

import pytest

from retrovue.cli.console.day_templates import segments
from retrovue.cli.console.forms import Form
from retrovue.cli.console.rule_form import RULE_FIELDS, RULE_KEYS, rule_from, rule_values
from retrovue.cli.console.schedule import rows
from retrovue.errors import ValidationError
from retrovue.schedule_manager.airing import ScheduledItem
from retrovue.schedule_manager.models import RuleV1


def test_a_block_across_midnight_is_two_pieces_and_an_all_day_block_the_whole_strip() -> None:
    placed = segments([{"start": "22:00", "end": "06:00"}, {"start": "06:00", "end": "12:00"}])
    assert [(round(p["left"], 3), round(p["width"], 3), p["colour"]) for p in placed] == [
        (91.667, 8.333, 0), (0.0, 25.0, 0), (25.0, 25.0, 1),
    ]  # fmt: skip
    (whole,) = segments([{"start": "05:00", "end": "05:00"}])
    assert (whole["left"], whole["width"]) == (0, 100)


def _item(kind: str, minute: int, length: int = 1) -> ScheduledItem:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=minute)
    return ScheduledItem(0, 1, dt.date(2026, 1, 1), start, start + dt.timedelta(minutes=length),
                         kind, 0, 0)  # fmt: skip


def test_the_spots_between_programmes_become_one_break_row_each() -> None:
    items = [_item("program", 0, 10), _item("commercial", 10), _item("bumper", 11),
             _item("program", 12, 10), _item("slate", 22), _item("promo", 23)]  # fmt: skip
    grouped = rows(items)
    assert [(r["item"].kind, None if r["break"] is None else len(r["break"])) for r in grouped] == [
        ("program", None), ("commercial", 2), ("program", None), ("slate", None), ("promo", 1),
    ]  # fmt: skip
    assert grouped[1]["end"] == items[2].end_utc


def test_the_form_covers_every_rule_key_and_gives_back_the_rule_it_was_filled_from() -> None:
    assert set(RULE_KEYS) == set(RuleV1.model_fields)
    rule = {"tags": ["kids"], "any_tags": ["a", "b"], "exclude_tags": ["late"],
            "series": ["Test Card Tonight", "Other"], "kind": "promo", "max_rating": "TV-PG",
            "min_minutes": 2.5, "max_minutes": 30, "order": "least_recently_used",
            "overrun": "skip", "breaks": "even", "break_count": 4, "filler_tags": ["spot"],
            "bumper_tags": ["bump"], "pad": "black"}  # fmt: skip
    again = rule_from(Form(rule_values(rule)))
    assert RuleV1.parse(again) == RuleV1.parse(rule)
    for spec in RULE_FIELDS:
        if spec.kind == "choice" and spec.key != "kind":
            assert spec.choices == get_args(RuleV1.model_fields[spec.key].annotation)


def test_a_minutes_field_that_is_not_a_number_names_its_key() -> None:
    with pytest.raises(ValidationError, match="rule_json: min_minutes: must be a number") as e:
        rule_from(Form({"min_minutes": "ten"}))
    assert e.value.field == "min_minutes"
