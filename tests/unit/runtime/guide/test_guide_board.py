"""The guide board and its feeder: drawn on change only, swapped whole, fed ahead of air."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

import pytest
from guide_data import THREE, at, three_channels
from PIL import Image

from retrovue.places import find_font
from retrovue.runtime.guide.board import GuideBoard
from retrovue.runtime.guide.feeder import GuideFeeder
from retrovue.runtime.guide.layout import GuideLayout, build_layout
from retrovue.runtime.guide.producer import guide_board
from retrovue.runtime.master_clock import FakeClock
from retrovue.runtime.profile import OutputProfile


def board(tmp_path: Path) -> GuideBoard:
    return guide_board(OutputProfile(), tmp_path / "guide" / "still.bmp", find_font())


def grid(when: dt.datetime) -> GuideLayout:
    return build_layout("RetroVue", "UTC", when, THREE, three_channels())


def test_a_board_draws_only_when_what_it_shows_changes(tmp_path: Path) -> None:
    still = board(tmp_path)
    assert still.refresh(grid(at(47)))
    assert not still.refresh(grid(at(47.9)))  # the same minute: the same picture
    assert still.refresh(grid(at(48)))
    assert still.renders == 2
    with Image.open(still.path) as picture:
        assert (picture.format, picture.size) == ("BMP", (1280, 720))


def test_a_reader_never_sees_half_a_still_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    still = board(tmp_path)
    still.refresh(grid(at(0)))
    failures: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                with Image.open(still.path) as picture:
                    picture.load()  # a truncated file fails here
            except OSError as error:
                failures.append(str(error))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for minute in range(1, 16):
            still.refresh(grid(at(minute)))
    finally:
        done.set()
        reader.join()
    assert failures == []
    assert [p.name for p in still.path.parent.iterdir()] == ["still.bmp"]


def test_the_feeder_draws_what_will_be_on_air_when_its_still_airs(tmp_path: Path) -> None:
    clock = FakeClock(at(46) + dt.timedelta(seconds=56))
    asked: list[dt.datetime] = []

    def content(when: dt.datetime) -> GuideLayout:
        asked.append(when)
        return grid(when)

    feeder = GuideFeeder(board(tmp_path), clock, content, ahead_s=5.0)
    assert feeder.tick()
    assert asked == [at(47) + dt.timedelta(seconds=1)]
    clock.advance(1.0)
    assert not feeder.tick()  # still 18:47 on air
    assert feeder.board.renders == 1


def test_a_feeder_whose_content_fails_keeps_the_last_still_and_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock(at(47))
    broken = {"now": False}

    def content(when: dt.datetime) -> GuideLayout:
        if broken["now"]:
            raise ConnectionError("database away")
        return grid(when)

    feeder = GuideFeeder(board(tmp_path), clock, content, ahead_s=0.0, interval_s=3600)
    feeder.start()  # draws the first still before it returns
    try:
        first = feeder.board.path.read_bytes()
        broken["now"] = True
        clock.advance(60)
        with caplog.at_level(logging.INFO):
            assert not feeder.tick()
            assert not feeder.tick()
            assert feeder.board.path.read_bytes() == first
            broken["now"] = False
            assert feeder.tick()
    finally:
        feeder.stop()
    assert [r.getMessage() for r in caplog.records] == [
        "guide not refreshed, the last still stays on air: database away",
        "guide refreshed again",
    ]
