"""The guide still as drawn: read back by OCR, cut titles, the highlight, fonts and logos."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from guide_data import NOW_TITLES, THREE, at, channel, item, three_channels
from guide_ocr import read_text
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageFont

from retrovue.places import find_font
from retrovue.runtime.guide.layout import build_layout
from retrovue.runtime.guide.render import BACKGROUND, ENTRY, NOW, GuideRenderer, fit, printable

NOW_AT = at(47)
FONT = find_font()
LONG = "The Adventures of Sherlock Holmes and Doctor Watson in the Lost City"


@pytest.fixture(scope="module")
def renderer() -> GuideRenderer:
    assert FONT is not None, "the guide tests need DejaVu (Debian fonts-dejavu-core)"
    return GuideRenderer(1280, 720, FONT)


def row_top(renderer: GuideRenderer, index: int) -> int:
    g = renderer.geometry
    return g.head_h + index * g.row_h


def x_of(renderer: GuideRenderer, minutes_after_window: float) -> int:
    g = renderer.geometry
    return g.channel_w + round(minutes_after_window / 90 * (g.width - g.channel_w))


def test_ocr_reads_back_every_channel_name_and_what_each_airs_now(
    renderer: GuideRenderer,
) -> None:
    layout = build_layout("RetroVue TV", "UTC", NOW_AT, THREE, three_channels())
    text = read_text(renderer.render(layout))
    for info in THREE:
        assert info.name in text
        assert NOW_TITLES[info.number] in text
    assert "RetroVue TV" in text and "18:47" in text
    assert "18:30" in text and "19:00" in text and "19:30" in text  # the ruler


def test_the_box_under_now_is_highlighted_and_boxes_not_airing_are_not(
    renderer: GuideRenderer,
) -> None:
    picture = renderer.render(build_layout("RetroVue", "UTC", NOW_AT, THREE, three_channels()))
    now_x, later_x = x_of(renderer, 17) + 4, x_of(renderer, 45) + 4  # 18:47 and 19:15
    for index, info in enumerate(THREE):
        y = row_top(renderer, index) + 3  # the box's top edge, above its text
        assert picture.getpixel((now_x, y)) == NOW, info.name
        # At 19:15 channels 2 and 4 air what follows; channel 7 still airs Casablanca.
        expected = NOW if info.number == 7 else ENTRY
        assert picture.getpixel((later_x, y)) == expected, info.name


def test_a_long_title_is_cut_with_an_ellipsis_inside_its_box(renderer: GuideRenderer) -> None:
    items = {3: [item(3, 30, 60, LONG), item(3, 60, 120, "Next")]}
    picture = renderer.render(
        build_layout("RetroVue", "UTC", NOW_AT, [channel(3, "Mystery")], items)
    )
    g = renderer.geometry
    top, bottom = row_top(renderer, 0), row_top(renderer, 0) + g.row_h - g.gap
    edge = x_of(renderer, 30) - g.gap  # the box's right edge (the gap follows it)
    for x in range(edge - g.pad, edge):  # the box's own right margin: its colour only
        assert {picture.getpixel((x, y)) for y in range(top, bottom)} == {NOW}, x
    for x in range(edge, edge + g.gap):  # the gap to the next box: untouched background
        assert {picture.getpixel((x, y)) for y in range(top, bottom)} == {BACKGROUND}, x
    # The text does run up to the margin: the cut used the room there was.
    ink = picture.crop((edge - g.pad - 40, top, edge - g.pad, top + g.row_h // 2)).convert("L")
    assert ink.getextrema()[1] > 200
    box_text = read_text(picture.crop((x_of(renderer, 0), top, edge, bottom)))
    assert box_text.startswith("The Adventures of")
    assert "Lost City" not in box_text
    assert box_text.split(" 18:30")[0].endswith(("...", "…"))


@settings(max_examples=200, deadline=None)
@given(text=st.text(min_size=0, max_size=60), width=st.integers(min_value=0, max_value=600))
def test_a_fitted_title_never_overflows_and_is_the_title_or_its_start_with_an_ellipsis(
    text: str, width: int
) -> None:
    assert FONT is not None
    font = ImageFont.truetype(str(FONT), 24)
    fitted = fit(text, font, width)
    assert font.getlength(fitted) <= width
    shown = printable(text)
    if fitted != shown and fitted:
        assert fitted.endswith("…")
        assert shown.startswith(fitted[:-1])


def test_printable_text_keeps_words_and_drops_control_characters() -> None:
    assert printable("News\x1e at\tNine\n\u200b(Live)") == "News at Nine (Live)"


def test_rows_taller_than_the_screen_are_followed_by_the_first_screenful_again(
    renderer: GuideRenderer,
) -> None:
    g = renderer.geometry
    fits = renderer.render(build_layout("R", "UTC", NOW_AT, THREE, three_channels()))
    assert fits.size == (1280, 720)
    many = [channel(n, f"Channel {n}") for n in range(1, 13)]
    sheet = renderer.render(build_layout("R", "UTC", NOW_AT, many, {}))
    rows_h = 12 * g.row_h
    assert sheet.size == (1280, g.head_h + rows_h + g.view_h)
    first = sheet.crop((0, g.head_h, 1280, g.head_h + g.view_h))
    again = sheet.crop((0, g.head_h + rows_h, 1280, g.head_h + rows_h + g.view_h))
    assert ImageChops.difference(first, again).getbbox() is None


@pytest.mark.parametrize(
    ("font", "warning"),
    [
        (None, "no font found for the guide: drawn with Pillow's default"),
        (
            Path("/nonexistent/NoSuchFace.ttf"),
            "guide font /nonexistent/NoSuchFace.ttf unreadable (cannot open resource): "
            "drawn with Pillow's default",
        ),
    ],
)
def test_a_missing_font_draws_with_pillows_default_and_warns_once(
    font: Path | None, warning: str, caplog: pytest.LogCaptureFixture
) -> None:
    renderer = GuideRenderer(1280, 720, font)
    with caplog.at_level(logging.WARNING):
        picture = renderer.render(build_layout("RetroVue TV", "UTC", NOW_AT, THREE, {}))
        renderer.render(build_layout("RetroVue TV", "UTC", at(48), THREE, {}))
    assert [r.getMessage() for r in caplog.records] == [warning]
    text = read_text(picture)
    assert "Classic Gold" in text and "Night Movies" in text


def test_a_logo_is_drawn_scaled_into_its_row(renderer: GuideRenderer, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (400, 300), (255, 0, 0)).save(logo)
    channels = [channel(2, "Classic Gold", logo=str(logo)), channel(4, "Cartoon Alley")]
    picture = renderer.render(build_layout("R", "UTC", NOW_AT, channels, three_channels()))
    g = renderer.geometry
    red = Image.new("RGB", picture.size, (255, 0, 0))
    found = ImageChops.difference(picture, red).convert("L").point(lambda v: 255 if v < 8 else 0)
    left, top, right, bottom = found.getbbox() or (0, 0, 0, 0)
    assert row_top(renderer, 0) < top and bottom < row_top(renderer, 1)  # inside row one
    assert right < g.channel_w  # in the channel column
    assert (right - left) / (bottom - top) == pytest.approx(4 / 3, rel=0.05)  # not stretched
    assert "Classic Gold" in read_text(picture)
    Image.new("RGB", (300, 300), (0, 255, 0)).save(logo)  # a new logo: read again, square
    os.utime(logo, ns=(0, logo.stat().st_mtime_ns + 1_000_000))
    picture = renderer.render(build_layout("R", "UTC", at(48), channels, three_channels()))
    green = ImageChops.difference(picture, Image.new("RGB", picture.size, (0, 255, 0)))
    left, top, right, bottom = green.convert("L").point(lambda v: 255 if v < 8 else 0).getbbox()
    assert right - left == bottom - top


def test_an_unreadable_logo_is_left_out_and_warned_once(
    renderer: GuideRenderer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "broken.png"
    broken.write_text("not a picture")
    channels = [
        channel(2, "Classic Gold", logo=str(broken)),
        channel(4, "Remote", "http://x/l.png"),
    ]
    with caplog.at_level(logging.WARNING):
        renderer.render(build_layout("R", "UTC", NOW_AT, channels, three_channels()))
        picture = renderer.render(build_layout("R", "UTC", at(48), channels, three_channels()))
    warnings = [r.getMessage() for r in caplog.records if "logo" in r.getMessage()]
    assert len(warnings) == 2  # one per logo, not one per drawing
    assert str(broken) in warnings[0] and "http://x/l.png" in warnings[1]
    text = read_text(picture)
    assert "Classic Gold" in text and "Remote" in text
