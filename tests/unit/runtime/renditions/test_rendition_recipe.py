"""A rendition's recipe: the live producer's own arguments, and a key that moves with them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import OutputProfile
from retrovue.runtime.renditions.recipe import Recipe
from retrovue.schedule_manager.airing import Presentation, ScheduledItem

FP = "f1:1000:1:abc"


def _recipe(profile: OutputProfile | None = None) -> Recipe:
    return Recipe(ProducerFactory(profile or OutputProfile(), Path("/tmp/cards"), None))


def test_the_rendition_is_made_with_the_live_producers_arguments_for_the_whole_file() -> None:
    recipe = _recipe()
    live = recipe.producers.file("/media/a.mkv", 0.0, 1800.0, True)
    made = recipe.args("/media/a.mkv", "/r/out.ts", True)
    at = live.index("-t")
    assert made[-1] == "/r/out.ts"
    assert made[3:-1] == live[:at] + live[at + 2 : -1], "the same filters, codecs and GOP"
    assert made[:3] == ["-progress", "pipe:1", "-nostats"]


def test_break_points_are_forced_keyframes_and_the_start_is_not_listed() -> None:
    made = _recipe().args("/media/a.mkv", "/r/out.ts", True, [0.0, 612.5, 301.25, 612.5])
    at = made.index("-force_key_frames")
    assert made[at + 1] == "301.250,612.500"
    assert made[-1] == "/r/out.ts"


def test_the_key_is_the_same_for_the_same_file_and_settings_and_names_nothing_per_airing() -> None:
    assert _recipe().key(FP, True) == _recipe().key(FP, True)
    shaping = _recipe().shaping(True)
    assert "-t" not in shaping and "/media/a.mkv" not in shaping


def test_a_changed_file_or_setting_gives_another_key() -> None:
    base = _recipe().key(FP, True)
    assert _recipe().key("f1:1000:2:abc", True) != base, "touched: another mtime"
    assert _recipe().key(FP, False) != base, "silence padded in instead of its sound"
    assert _recipe(OutputProfile(fps=25, gop_frames=25)).key(FP, True) != base
    assert _recipe(OutputProfile(audio_bitrate="192k")).key(FP, True) != base


def _item(**changes: Any) -> ScheduledItem:
    at = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC)
    item = ScheduledItem(
        1, 1, at.date(), at, at + dt.timedelta(minutes=30), "program", 0, 0, 7, "/media/a.mkv",
        "A", True, True,
    )  # fmt: skip
    return dataclasses.replace(item, **changes)


def test_an_item_keys_its_rendition_by_the_shape_it_airs_in() -> None:
    recipe = _recipe()
    plain = recipe.shape_of(_item(), True)
    assert plain is not None
    assert recipe.key(FP, True, plain) == recipe.key(FP, True), "nothing known: the plain one"
    measured = _item(media={"audio": [{"index": 0, "loudness_lufs": -14.0}]})
    louder = recipe.shape_of(measured, True)
    assert louder is not None and recipe.key(FP, True, louder) != recipe.key(FP, True)
    assert "volume=-10.00dB" in " ".join(recipe.args("/m/a.mkv", "/r/o.ts", True, (), louder))


def test_a_changed_bug_file_gives_another_key(tmp_path: Path) -> None:
    bug = tmp_path / "bug.png"
    bug.write_bytes(b"one")
    recipe = _recipe()
    shape = recipe.shape_of(_item(presentation=Presentation(bug_path=str(bug))), True)
    assert shape is not None and shape.bug is not None
    before = recipe.key(FP, True, shape)
    bug.write_bytes(b"another")
    assert recipe.key(FP, True, shape) != before


def test_an_item_with_a_caption_that_varies_per_airing_gets_no_rendition(tmp_path: Path) -> None:
    font = tmp_path / "font.ttf"
    font.write_bytes(b"")
    recipe = Recipe(ProducerFactory(OutputProfile(), tmp_path / "cards", font))
    look = Presentation(next_caption_s=10)
    assert recipe.shape_of(_item(presentation=look, next_title="B"), True) is None
    assert recipe.shape_of(_item(presentation=look), True) is not None, "no next title: none"
