"""PlayoutEngine's timeline, exactly, on a fake clock with scripted producers.

Every test runs the real playout loop; only its edges are scripted (playout_fakes.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from playout_fakes import FRAME, T0, Item, Run, Script, play, tick

from retrovue.errors import ConflictError
from retrovue.runtime.program_director import ProgramDirector
from retrovue.runtime.renditions.shelf import Rendition, RenditionShelf
from retrovue.schedule_manager.airing import ScheduledItem


def contiguous(run: Run) -> None:
    """Every picture follows the last by one frame: no gap, no overlap, never backwards."""
    ticks = [sent.ts for sent in run.muxer.video()]
    steps = {b - a for a, b in itertools.pairwise(ticks)}
    assert steps == {FRAME}, sorted(steps)[:5]


def test_items_follow_each_other_on_their_scheduled_ticks(tmp_path: Path) -> None:
    items = [Item(-10, 20, "a.mkv", 1), Item(20, 30, "b.mkv", 2), Item(30, 90, "c.mkv", 3)]
    scripts = {"a.mkv": [Script(60)], "b.mkv": [Script(60)], "c.mkv": [Script(60)]}
    run = play(items, scripts, 40, scratch=tmp_path)
    contiguous(run)
    runs = run.muxer.runs()
    assert [(label.split(":")[1].split("@")[0], start, end) for label, start, end in runs[:2]] == [
        ("file", tick(0), tick(20)),
        ("file", tick(20), tick(30)),
    ]
    assert runs[2][1] == tick(30)
    assert [(s.path, s.offset_s) for s in run.producers.spawns] == [
        ("a.mkv", 10.0),
        ("b.mkv", 0.0),
        ("c.mkv", 0.0),
    ]
    starts = run.starts()
    assert [(s.playlog_event_id, s.started_utc, s.status) for s in starts] == [
        (1, T0, "aired"),
        (2, T0 + dt.timedelta(seconds=20), "aired"),
        (3, T0 + dt.timedelta(seconds=30), "aired"),
    ]
    ends = {e.handle: e for e in run.ends()}
    assert ends[starts[0].handle].ended_utc == T0 + dt.timedelta(seconds=20)
    assert ends[starts[0].handle].status is None


def test_a_file_shorter_than_its_slot_is_followed_at_once_by_slate_until_the_boundary(
    tmp_path: Path,
) -> None:
    items = [Item(0, 20, "short.mkv", 1), Item(20, 60, "next.mkv", 2)]
    scripts = {"short.mkv": [Script(5)], "next.mkv": [Script(60)]}
    run = play(items, scripts, 30, scratch=tmp_path)
    contiguous(run)
    kinds = [
        (label.split(":")[1].split("@")[0], start, end) for label, start, end in run.muxer.runs()
    ]
    assert kinds[:3] == [
        ("file", tick(0), tick(5)),
        ("slate", tick(5), tick(20)),
        ("file", tick(20), kinds[2][2]),
    ]
    starts = run.starts()
    assert [(s.playlog_event_id, s.asset_id, s.status) for s in starts[:3]] == [
        (1, 1, "aired"),
        (1, None, "substituted"),
        (2, 2, "aired"),
    ]
    assert starts[1].started_utc == T0 + dt.timedelta(seconds=5)
    first_end = next(e for e in run.ends() if e.handle == starts[0].handle)
    assert first_end.status == "interrupted"
    assert first_end.ended_utc == T0 + dt.timedelta(seconds=5)
    assert first_end.reason == "picture ended 15.0 s before the slot"


def test_sound_running_on_without_picture_ends_the_item_within_a_second(tmp_path: Path) -> None:
    items = [Item(0, 30, "broken.mkv", 1), Item(30, 60, "next.mkv", 2)]
    scripts = {"broken.mkv": [Script(5, "sound-only")], "next.mkv": [Script(60)]}
    run = play(items, scripts, 35, scratch=tmp_path)
    contiguous(run)
    runs = run.muxer.runs()
    assert runs[0][2] == tick(5)
    assert runs[1][0].split(":")[1].startswith("slate") and runs[1][1] == tick(5)
    assert runs[2][1] == tick(30)
    audio_after = [s.ts for s in run.muxer.sent if s.kind == "audio" and s.label == runs[0][0]]
    assert max(audio_after) < tick(5) + round(1.1 * 90_000)


def test_a_producer_that_fails_mid_item_is_resumed_at_the_scheduled_offset(tmp_path: Path) -> None:
    items = [Item(-100, 100, "show.mkv", 1)]
    scripts = {"show.mkv": [Script(5, "error"), Script(200)]}
    run = play(items, scripts, 20, scratch=tmp_path)
    contiguous(run)
    assert [(s.path, s.offset_s) for s in run.producers.spawns] == [
        ("show.mkv", 100.0),
        ("show.mkv", 105.0),
    ]
    starts = run.starts()
    assert [(s.asset_id, s.status) for s in starts] == [(1, "aired"), (1, "aired")]
    assert starts[1].started_utc == T0 + dt.timedelta(seconds=5)
    first_end = next(e for e in run.ends() if e.handle == starts[0].handle)
    assert (first_end.status, first_end.reason) == ("interrupted", "ffmpeg exited with 1")


def test_a_stalled_producer_is_replaced_within_a_second_and_the_channel_never_bursts(
    tmp_path: Path,
) -> None:
    items = [Item(-100, 100, "show.mkv", 1)]
    scripts = {"show.mkv": [Script(5, "stall"), Script(200)]}
    run = play(items, scripts, 20, scratch=tmp_path)
    contiguous(run)
    resumed = run.producers.spawns[1]
    assert resumed.path == "show.mkv"
    assert resumed.offset_s is not None and 105.0 <= resumed.offset_s <= 106.2
    assert run.starts()[1].started_utc - T0 <= dt.timedelta(seconds=6.2)


def test_a_file_that_keeps_failing_airs_slate_for_the_rest_of_its_slot(tmp_path: Path) -> None:
    items = [Item(0, 30, "bad.mkv", 1), Item(30, 60, "next.mkv", 2)]
    scripts = {"bad.mkv": [Script(2, "error")], "next.mkv": [Script(60)]}
    run = play(items, scripts, 35, scratch=tmp_path)
    contiguous(run)
    files = [s for s in run.producers.spawns if s.path == "bad.mkv"]
    assert [s.offset_s for s in files] == [0.0, 2.0, 4.0]
    runs = run.muxer.runs()
    slate = [r for r in runs if ":slate@" in r[0]]
    assert slate and slate[0][1] == tick(6) and slate[-1][2] == tick(30)
    assert any(":file@" in r[0] and r[1] == tick(30) for r in runs)
    last = run.starts()[-2]
    assert last.status == "substituted" and last.asset_id is None


def test_a_producer_slow_to_start_airs_late_and_its_slot_still_ends_on_schedule(
    tmp_path: Path,
) -> None:
    items = [Item(0, 20, "slow.mkv", 1), Item(20, 60, "next.mkv", 2)]
    scripts = {"slow.mkv": [Script(60, delay_s=3.0)], "next.mkv": [Script(60)]}
    run = play(items, scripts, 25, scratch=tmp_path)
    contiguous(run)
    runs = run.muxer.runs()
    # The channel's clock moved on by the 3 s the producer took; the first item then airs
    # to the scheduled boundary, 17 s of it, and the next starts on its tick.
    assert runs[0][0].split(":")[1].startswith("file")
    assert runs[1][0].split(":")[1].startswith("file")
    aired = (runs[0][2] - runs[0][1]) / 90_000
    assert 16.5 <= aired <= 17.5
    assert run.producers.spawns[1].offset_s == 0.0


def test_emergency_cuts_in_and_normal_resumes_at_the_scheduled_offset(tmp_path: Path) -> None:
    director = ProgramDirector()
    items = [Item(-50, 100, "show.mkv", 1)]
    scripts = {"show.mkv": [Script(200)]}
    actions = [
        (5.0, lambda engine: director.set_mode("emergency", "Storm warning")),
        (10.0, lambda engine: director.set_mode("normal")),
    ]
    run = play(items, scripts, 15, director=director, actions=actions, scratch=tmp_path)
    contiguous(run)
    runs = run.muxer.runs()
    labels = [label.split(":")[1].split("@")[0] for label, _, _ in runs]
    assert labels[:3] == ["file", "emergency", "file"]
    cut, back = runs[1][1], runs[2][1]
    # The mode is seen on the next packet, sent up to the lead (1 s) ahead of its air time.
    assert tick(5) <= cut <= tick(6.1)
    assert tick(10) <= back <= tick(11.1)
    resumed = run.producers.spawns[-1]
    seconds_in = (back - tick(0)) / 90_000
    assert resumed.offset_s is not None and abs(resumed.offset_s - (50 + seconds_in)) < 0.05
    statuses = [(s.status, s.reason) for s in run.starts()]
    assert statuses[:3] == [("aired", None), ("emergency", "Storm warning"), ("aired", None)]


def test_a_channel_signing_off_ends_on_a_few_seconds_of_slate(tmp_path: Path) -> None:
    items = [Item(-50, 100, "show.mkv", 1)]
    scripts = {"show.mkv": [Script(200)]}
    actions = [(5.0, lambda engine: engine.sign_off("channel 1 left the air"))]
    run = play(items, scripts, 30, actions=actions, scratch=tmp_path)
    contiguous(run)
    runs = run.muxer.runs()
    assert len(runs) == 2 and ":slate@" in runs[1][0]
    assert abs((runs[1][2] - runs[1][1]) / 90_000 - 3.0) < 0.05
    assert run.starts()[-1].reason == "channel 1 left the air"
    assert run.muxer.closed


def test_guide_mode_puts_the_guide_on_air_and_normal_resumes_at_the_scheduled_offset(
    tmp_path: Path,
) -> None:
    director = ProgramDirector()
    items = [Item(-50, 100, "show.mkv", 1)]
    scripts = {"show.mkv": [Script(200)]}
    actions = [
        (5.0, lambda engine: director.set_mode("guide")),
        (10.0, lambda engine: director.set_mode("emergency", "Storm")),
        (12.0, lambda engine: director.set_mode("normal")),
    ]
    run = play(items, scripts, 16, director=director, actions=actions, scratch=tmp_path)
    contiguous(run)
    labels = [label.split(":")[1].split("@")[0] for label, _, _ in run.muxer.runs()]
    assert labels[:4] == ["file", "guide", "emergency", "file"]
    back = run.muxer.runs()[3][1]
    resumed = run.producers.spawns[-1]
    seconds_in = (back - tick(0)) / 90_000
    assert resumed.offset_s is not None and abs(resumed.offset_s - (50 + seconds_in)) < 0.05
    statuses = [(s.status, s.reason) for s in run.starts()]
    assert statuses[:4] == [
        ("aired", None),
        ("substituted", "guide mode"),
        ("emergency", "Storm"),
        ("aired", None),
    ]
    first_end = next(e for e in run.ends() if e.handle == run.starts()[0].handle)
    assert (first_end.status, first_end.reason) == ("interrupted", "guide mode")


def test_during_an_emergency_the_guide_is_refused() -> None:
    director = ProgramDirector()
    director.set_mode("emergency", "Storm")
    with pytest.raises(ConflictError, match="emergency mode is on"):
        director.set_mode("guide")
    assert director.state.mode == "emergency"


class ShelfOf(RenditionShelf):
    """A shelf that names a rendition file for some paths (what the book and disk would say)."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find(self, item: ScheduledItem, has_audio: bool) -> Rendition | None:
        found = self.files.get(str(item.file_path))
        return None if found is None else Rendition(1, item.asset_id or 0, "k", found)


def test_an_item_whose_rendition_cannot_be_opened_airs_live_and_its_as_run_says_so(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.ts"
    broken.write_bytes(b"\x47" * 188)  # a stream, but no keyframe index beside it
    items = [Item(0, 10, "a.mkv", 1), Item(10, 20, "b.mkv", 2)]
    scripts = {"a.mkv": [Script(60)], "b.mkv": [Script(60)]}
    shelf = ShelfOf({"a.mkv": broken})
    run = play(items, scripts, 15, renditions=shelf, scratch=tmp_path)
    contiguous(run)
    assert [(s.path, s.offset_s) for s in run.producers.spawns] == [
        ("a.mkv", 0.0),
        ("b.mkv", 0.0),
    ]
    reasons = [(s.playlog_event_id, s.status, s.reason) for s in run.starts()]
    assert reasons[1] == (2, "aired", None)
    event, status, reason = reasons[0]
    assert (event, status) == (1, "aired")
    assert reason is not None and reason.startswith("rendition unreadable, aired live: ")
