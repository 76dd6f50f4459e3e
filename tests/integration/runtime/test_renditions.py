"""Prepared renditions with real ffmpeg and a real database: made, read, kept fresh and small."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from capture_analysis import analyse, bar_position_s, classify_colour
from conftest import Clip, build_schedule
from sqlalchemy import select

from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.infra.db import open_database
from retrovue.runtime.master_clock import FakeClock
from retrovue.runtime.muxer import Chunk, TsMuxer
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import TICKS_PER_SECOND, OutputProfile
from retrovue.runtime.renditions.keyframes import KeyframeIndex, index_path
from retrovue.runtime.renditions.maker import RenditionMaker
from retrovue.runtime.renditions.prepare import Preparer
from retrovue.runtime.renditions.recipe import Recipe
from retrovue.runtime.renditions.shelf import RenditionShelf
from retrovue.runtime.renditions.source import RenditionSource
from retrovue.runtime.source import MediaPacket, SourceEnd
from retrovue.runtime.timeline import ItemCursor
from retrovue.schedule_manager.airing import ScheduledItem
from retrovue.schedule_manager.models import CatalogAsset
from retrovue.schedule_manager.schedule_service import ScheduleService

T0 = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC)
PROFILE = OutputProfile()
FRAME = PROFILE.frame_ticks
BASE = 10 * TICKS_PER_SECOND


@pytest.fixture
def service(database_url: str) -> Iterator[ScheduleService]:
    opened = ScheduleService(open_database(database_url))
    try:
        yield opened
    finally:
        opened.close()


def _preparer(service: ScheduleService, folder: Path, budget: int | None = None) -> Preparer:
    recipe = Recipe(ProducerFactory(PROFILE, folder / "cards", None))
    maker = RenditionMaker(Ffmpeg(resolve_ffmpeg()), recipe, folder / "renditions")
    shelf = RenditionShelf(folder / "renditions", recipe, service, FakeClock(T0))
    return Preparer(shelf, maker, budget)


def _item(service: ScheduleService, name: str) -> ScheduledItem:
    """The first scheduled airing of the asset titled `name`."""
    for item in service.items_between(1, T0, T0 + dt.timedelta(hours=1)):
        if item.title == name:
            return item
    raise LookupError(name)


def _splice(path: Path, offset_s: float, seconds: float, capture: Path) -> RenditionSource:
    """Read a rendition from `offset_s` through the channel's cursor and muxer into `capture`."""
    source = RenditionSource(path, offset_s, seconds)
    chunks: list[Chunk] = []
    muxer = TsMuxer(chunks.extend, PROFILE)
    end = BASE + round(seconds * TICKS_PER_SECOND)
    cursor = ItemCursor(BASE, end, BASE, FRAME, PROFILE.audio_frame_ticks)
    first: MediaPacket | None = None
    while not isinstance(got := source.get(0.1), SourceEnd):
        assert got is not None, "a rendition never makes its reader wait"
        if first is None and got.kind == "video":
            first = got
        for packet, tick in cursor.place(got):
            muxer.send(packet, tick)
    assert got.error is None
    muxer.close()
    capture.write_bytes(b"".join(chunk.data for chunk in chunks))
    assert first is not None and first.keyframe
    return source


@pytest.mark.slow
def test_a_rendition_is_the_item_in_the_channel_profile_read_from_any_offset_cleanly(
    database_url: str, service: ScheduleService, clips: dict[str, Clip], tmp_path: Path
) -> None:
    build_schedule(database_url, clips, ["cyan"], T0, 1)
    report = _preparer(service, tmp_path).run(1)
    assert [m.planned.asset.title for m in report.made] == ["cyan"]
    path = report.made[0].path
    with av.open(str(path)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert (video.codec_context.name, video.width, video.height) == ("h264", 1280, 720)
        assert video.average_rate == 30
        assert (audio.codec_context.name, audio.rate, audio.channels) == ("aac", 48000, 2)
    index = KeyframeIndex.load(index_path(path))
    gaps = {b.at - a.at for a, b in zip(index.keyframes, index.keyframes[1:], strict=False)}
    assert gaps == {TICKS_PER_SECOND}, "a keyframe every second, exactly"
    assert abs(index.duration_s - (clips["cyan"].seconds + 0.25)) <= 2 / 30  # the held tail
    for offset in (0.0, 3.4, 7.95):
        capture = tmp_path / f"at-{offset}.ts"
        source = _splice(path, offset, 2.0, capture)
        assert source.start_s is not None and offset - 1 < source.start_s <= offset
        packets = analyse(capture)
        assert (packets.corrupt, packets.backwards) == (0, 0)
        assert packets.largest_video_gap_s <= 2 / 30 + 1e-6
        assert packets.video_frames == 60, "two seconds exactly, on the frame grid"
        assert {name for _, name in packets.video} == {"cyan"}
        tones = [tone for _, tone in packets.audio]
        assert tones.count("cyan") >= 0.95 * len(tones), "the item's own sound throughout"
        with av.open(str(capture)) as container:
            first = next(container.decode(video=0))
            assert abs(bar_position_s(first) - source.start_s) <= 0.1


@pytest.mark.slow
def test_a_break_point_gets_a_keyframe_of_its_own_and_a_read_from_it_starts_there(
    database_url: str, service: ScheduleService, clips: dict[str, Clip], tmp_path: Path
) -> None:
    url = database_url
    schedule = build_schedule(url, clips, ["magenta"], T0, 1)
    with service.database.transaction() as session:
        asset = session.get(CatalogAsset, schedule.asset_ids["magenta"])
        assert asset is not None
        asset.markers = [{"kind": "break", "start_ms": 4517}]
    made = _preparer(service, tmp_path).run(1).made
    assert made and made[0].planned.asset.break_points_ms == (4517,)
    index = KeyframeIndex.load(index_path(made[0].path))
    at_break = [k.at for k in index.keyframes if k.at >= 4.517 * TICKS_PER_SECOND]
    assert at_break[0] - 4.517 * TICKS_PER_SECOND < FRAME, "the break's own frame is a keyframe"
    source = _splice(made[0].path, 4.517, 1.0, tmp_path / "break.ts")
    assert source.start_s is not None and abs(source.start_s - 4.517) < 1 / 30


@pytest.mark.slow
def test_a_file_changed_after_its_rendition_was_made_never_airs_the_stale_one(
    database_url: str, service: ScheduleService, clips: dict[str, Clip], tmp_path: Path
) -> None:
    url = database_url
    episode = tmp_path / "episode.mp4"
    shutil.copy(clips["blue"].path, episode)
    build_schedule(url, {"blue": Clip("blue", episode, 3, (0, 0, 255), 880)}, ["blue"], T0, 1)
    preparer = _preparer(service, tmp_path)
    old = preparer.run(1).made[0]
    item = _item(service, "blue")
    found = preparer.shelf.find(item, has_audio=True)
    assert found is not None and found.path == old.path
    shutil.copy(clips["red"].path, episode)  # replaced in place: another picture, same path
    assert preparer.shelf.find(item, has_audio=True) is None
    new = preparer.run(1).made[0]
    assert new.planned.key != old.planned.key
    assert not old.path.exists() and not index_path(old.path).exists()
    found = preparer.shelf.find(item, has_audio=True)
    assert found is not None and found.path == new.path
    source = _splice(found.path, 0.0, 1.0, tmp_path / "fresh.ts")
    assert source.start_s == 0.0
    with av.open(str(tmp_path / "fresh.ts")) as container:
        assert classify_colour(next(container.decode(video=0))) == "red"
    os.utime(episode, ns=(1, 1))  # the same bytes touched: the fingerprint moves on
    assert preparer.shelf.find(item, has_audio=True) is None


@pytest.mark.slow
def test_the_disk_budget_holds_when_more_airs_than_it_allows(
    database_url: str, service: ScheduleService, clips: dict[str, Clip], tmp_path: Path
) -> None:
    url = database_url
    build_schedule(url, clips, ["red", "blue", "green"], T0, 0.2)  # each airs once, in order
    unbounded = _preparer(service, tmp_path / "first")
    sizes = {m.planned.asset.title: m.size_bytes for m in unbounded.run(1).made}
    assert list(sizes) == ["red", "blue", "green"], "soonest first"
    unbounded.shelf.remove(service.all_renditions())
    budget = sizes["red"] + sizes["blue"] + sizes["green"] // 2
    report = _preparer(service, tmp_path / "second", budget).run(1)
    kept = {r.asset_id: r for r in service.all_renditions()}
    titles = _titles(service)
    assert sorted(titles[a] for a in kept) == ["blue", "red"], "what airs farthest goes"
    assert sum(r.size_bytes for r in kept.values()) <= budget
    on_disk = sum(p.stat().st_size for p in (tmp_path / "second" / "renditions").iterdir())
    assert on_disk <= budget
    assert (len(report.made), report.held_back) == (2, 1)


def _titles(service: ScheduleService) -> dict[int, str]:
    with service.database.reading() as session:
        return {a.id: a.title for a in session.scalars(select(CatalogAsset))}


@pytest.mark.slow
def test_retrovue_station_prepare_makes_what_airs_then_finds_nothing_left(
    clips: dict[str, Clip], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'rv.db'}"
    open_database(url).dispose()
    build_schedule(url, clips, ["red", "blue"], dt.datetime.now(dt.UTC), 2)
    command = [sys.executable, "-m", "retrovue.runtime.station", "prepare", "--db", url,
               "--hours", "1", "--renditions", str(tmp_path / "r")]  # fmt: skip
    env = {**os.environ, "RETROVUE_DATA_DIR": str(tmp_path / "data")}
    first = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert first.returncode == 0, first.stderr
    assert "renditions made: 2" in first.stdout
    assert len(list((tmp_path / "r").glob("*.ts"))) == 2
    again = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert "renditions made: 0" in again.stdout and "already prepared: 2" in again.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "retrovue.cli.app", "--db", url, "catalog", "list", "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    states = {a["title"]: a["rendition"] for a in json.loads(listed.stdout)}
    assert states["red"]["state"] == states["blue"]["state"] == "ready"
    assert states["red"]["bytes"] > 0 and states["green"] is None
