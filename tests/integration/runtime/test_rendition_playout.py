"""Real playout choosing renditions: spliced items beside live ones in one clean stream.

The oracles are a real decoder (colours, the bar's position, the tones), ffmpeg's own
continuity check and our transport analyser; which items ran an encoder is read from the
producers playout started (each names its input file).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import av
import httpx
import pytest
from capture_analysis import analyse, bar_position_s, classify_colour, transitions
from conftest import Clip, build_schedule, start_station
from sqlalchemy import select, update
from transport_analysis import analyse_transport

from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.fingerprint import fingerprint
from retrovue.infra.db import open_database
from retrovue.runtime.asrun_logger import AsRunLogger
from retrovue.runtime.gating import GatingWatch
from retrovue.runtime.master_clock import SystemClock
from retrovue.runtime.muxer import Chunk
from retrovue.runtime.planner import Planner
from retrovue.runtime.playout import RENDITION_NOTE, PlayoutDeps, PlayoutEngine
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import OutputProfile
from retrovue.runtime.program_director import ProgramDirector
from retrovue.runtime.renditions.maker import RenditionMaker
from retrovue.runtime.renditions.prepare import Preparer
from retrovue.runtime.renditions.recipe import Recipe
from retrovue.runtime.renditions.shelf import RenditionShelf
from retrovue.runtime.source import ProducerSource, Source, SourceFactory
from retrovue.schedule_manager.models import AsRunEvent, CatalogAsset, PlaylogEvent
from retrovue.schedule_manager.schedule_service import ScheduleService
from retrovue.schedule_manager.timemath import to_ms

PROFILE = OutputProfile()
ORDER = ["red", "cyan", "blue", "green"]  # cyan and green air from renditions
PREPARED = ("cyan", "green")


def recording(ffmpeg: Ffmpeg, inputs: list[str]) -> SourceFactory:
    """Live producers as playout starts them, noting each one's input file."""

    def start(args: list[str], label: str) -> Source:
        if "-i" in args:
            inputs.append(args[args.index("-i") + 1])
        return ProducerSource(ffmpeg, args, label)

    return start


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ScheduleService]:
    url = f"sqlite:///{tmp_path / 'rv.db'}"
    open_database(url).dispose()
    opened = ScheduleService.open(url)
    try:
        yield opened
    finally:
        opened.close()


def _play(deps: PlayoutDeps, service: ScheduleService, capture: Path, seconds: float) -> None:
    with capture.open("wb") as sink:

        def emit(chunks: list[Chunk]) -> None:
            for chunk in chunks:
                sink.write(chunk.data)

        engine = PlayoutEngine(1, "Test 1", Planner(service, 1, deps.gating), deps, emit)
        engine.start()
        time.sleep(seconds)
        assert engine.stop()
    deps.asrun.close()


def _deps(
    service: ScheduleService, shelf: RenditionShelf, producers: ProducerFactory, inputs: list[str]
) -> PlayoutDeps:
    ffmpeg = Ffmpeg(resolve_ffmpeg())
    return PlayoutDeps(
        clock=shelf.clock, ffmpeg=ffmpeg, producers=producers, profile=PROFILE,
        director=ProgramDirector(), asrun=AsRunLogger(service.record_asrun),
        gating=GatingWatch(service.gating_revision), sources=recording(ffmpeg, inputs),
        renditions=shelf,
    )  # fmt: skip


def _wait_until(clock: SystemClock, at: dt.datetime) -> None:
    while clock.now() < at:
        time.sleep(0.01)


@pytest.mark.slow
def test_items_with_a_rendition_are_spliced_between_live_ones_in_one_clean_stream(
    service: ScheduleService, clips: dict[str, Clip], tmp_path: Path
) -> None:
    ffmpeg = Ffmpeg(resolve_ffmpeg())
    producers = ProducerFactory(PROFILE, tmp_path / "cards", None)
    recipe = Recipe(producers)
    url = service.database.engine.url.render_as_string(hide_password=False)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)
    build_schedule(url, clips, ORDER, start, 10)
    clock = SystemClock()
    shelf = RenditionShelf(tmp_path / "renditions", recipe, service, clock)
    maker = RenditionMaker(ffmpeg, recipe, tmp_path / "renditions")
    preparer = Preparer(shelf, maker)
    live = {str(clips[name].path) for name in ("red", "blue")}  # these have none: they air live
    made = [p for p in preparer.pending(1)[0] if p.asset.file_path not in live]
    for planned in made:
        preparer.prepare(planned)
    assert sorted(p.asset.title for p in made) == sorted(PREPARED)
    # Tune in 2.5 s into a rendition item: it opens on its keyframe at 2 s.
    events = service.items_between(1, clock.now(), start + dt.timedelta(minutes=10))
    cyan = next(e for e in events if e.title == "cyan" and e.start_utc > clock.now())
    _wait_until(clock, cyan.start_utc + dt.timedelta(seconds=2.5))
    capture = tmp_path / "capture.ts"
    inputs: list[str] = []
    _play(_deps(service, shelf, producers, inputs), service, capture, 26)
    # the rest of cyan, blue, green, red and into cyan again: no encoder ran for cyan or green
    assert str(clips["red"].path) in inputs and str(clips["blue"].path) in inputs
    assert not {str(clips[name].path) for name in PREPARED} & set(inputs), inputs
    report = analyse(capture)
    assert (report.corrupt, report.backwards) == (0, 0)
    assert report.largest_video_gap_s <= 2 / 30 + 1e-6
    video_cuts = transitions(report.video)
    audio_cuts = transitions(report.audio)
    assert [name for _, name in video_cuts][:4] == ["blue", "green", "red", "cyan"]
    for t, name in video_cuts:
        nearest = min(audio_cuts, key=lambda cut: abs(cut[0] - t))
        assert nearest[1] == name
        assert abs(nearest[0] - t) <= 0.040, (t, name, nearest)
    with av.open(str(capture)) as container:
        first = next(container.decode(video=0))
        assert classify_colour(first) == "cyan"
        # Playout opens on the second at or before the tune-in (1.5 s to 2.5 s in), the
        # rendition on its keyframe at or before that offset: the one at 1 s or at 2 s.
        assert 0.9 <= bar_position_s(first) <= 2.6, "tuned in on the keyframe at 1 s or 2 s"
    assert analyse_transport(capture).continuity_errors == 0
    debug = subprocess.run(
        [ffmpeg.binary, "-hide_banner", "-loglevel", "debug", "-i", str(capture),
         "-f", "null", "-"],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert "Continuity check failed" not in debug.stderr
    with service.database.reading() as session:
        rows = session.execute(
            select(AsRunEvent.started_utc, PlaylogEvent.start_ms, CatalogAsset.title,
                   AsRunEvent.reason)
            .join(PlaylogEvent, PlaylogEvent.id == AsRunEvent.playlog_event_id)
            .join(CatalogAsset, CatalogAsset.id == AsRunEvent.asset_id)
            .order_by(AsRunEvent.started_utc)
        ).all()  # fmt: skip
    assert len(rows) >= 5
    for _, _, title, reason in rows:
        assert reason == (RENDITION_NOTE if title in PREPARED else None), (title, reason)
    for aired, scheduled, _, _ in rows[1:]:  # the first began where the viewer tuned in
        assert abs(to_ms(aired) - scheduled) <= 1000 / 30, "each on its scheduled tick"


@pytest.mark.slow
def test_a_file_changed_after_its_rendition_was_made_never_airs_the_stale_rendition(
    service: ScheduleService, clips: dict[str, Clip], tmp_path: Path
) -> None:
    own = tmp_path / "cyan.mp4"
    shutil.copyfile(clips["cyan"].path, own)
    ours = {**clips, "cyan": dataclasses.replace(clips["cyan"], path=own)}
    producers = ProducerFactory(PROFILE, tmp_path / "cards", None)
    recipe = Recipe(producers)
    url = service.database.engine.url.render_as_string(hide_password=False)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    schedule = build_schedule(url, ours, ["cyan", "red"], start, 3)
    clock = SystemClock()
    shelf = RenditionShelf(tmp_path / "renditions", recipe, service, clock)
    maker = RenditionMaker(Ffmpeg(resolve_ffmpeg()), recipe, tmp_path / "renditions")
    preparer = Preparer(shelf, maker)
    (cyan,) = [p for p in preparer.pending(1)[0] if p.asset.title == "cyan"]
    preparer.prepare(cyan)

    def cyan_item_now() -> tuple[dt.datetime, Planner]:
        _, begins, _, _ = next(e for e in schedule.events if e[3] == "cyan" and e[1] >= clock.now())
        return begins + dt.timedelta(seconds=3), Planner(service, 1)

    at, planner = cyan_item_now()
    slot = planner.slot_at(at)
    assert slot.item is not None and shelf.find(slot.item, slot.has_audio) is not None
    stamp = os.stat(own).st_mtime_ns + 5_000_000_000
    os.utime(own, ns=(stamp, stamp))  # the same bytes, touched: another file to the catalog
    assert planner.slot_at(at).action == "slate", "refused until approved again, as ever"
    with service.database.transaction() as session:  # approved again as it is now
        session.execute(
            update(CatalogAsset)
            .where(CatalogAsset.id == schedule.asset_ids["cyan"])
            .values(fingerprint=fingerprint(own))
        )
    at, planner = cyan_item_now()
    slot = planner.slot_at(at)
    assert slot.action == "file" and slot.item is not None
    assert shelf.find(slot.item, slot.has_audio) is None, "the old rendition is not found"
    _wait_until(clock, at)
    inputs: list[str] = []
    capture = tmp_path / "capture.ts"
    _play(_deps(service, shelf, producers, inputs), service, capture, 3)
    assert inputs[:1] == [str(own)], "the changed file airs live, transcoded"
    with av.open(str(capture)) as container:
        assert classify_colour(next(container.decode(video=0))) == "cyan"
    with service.database.reading() as session:
        reasons = session.scalars(select(AsRunEvent.reason)).all()
    assert reasons and RENDITION_NOTE not in reasons


@pytest.mark.slow
def test_a_serving_station_airs_what_prepare_made_without_transcoding_it(
    clips: dict[str, Clip], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'rv.db'}"
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
    build_schedule(url, clips, ["cyan", "green"], start, 3)
    data = tmp_path / "data"
    env = {**os.environ, "RETROVUE_DATA_DIR": str(data)}
    prepared = subprocess.run(
        [sys.executable, "-m", "retrovue.runtime.station", "prepare", "--db", url,
         "--hours", "1"],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert prepared.returncode == 0, prepared.stdout + prepared.stderr
    assert "renditions made: 2" in prepared.stdout
    station = start_station(url, data)
    encoders: list[str] = []
    try:
        with (
            httpx.Client(timeout=10) as client,
            client.stream("GET", f"{station.base}/iptv/channel/1.ts") as response,
        ):
            assert response.status_code == 200
            began = time.monotonic()
            received = 0
            for chunk in response.iter_bytes():
                received += len(chunk)
                encoders += [station.command_line(p) for p in station.children()]
                if time.monotonic() - began > 6:
                    break
    finally:
        station.stop()
    assert received > 200_000
    assert encoders == [], "every item aired from its rendition: no ffmpeg ran"
    db = open_database(url)
    try:
        with db.reading() as session:
            reasons = session.execute(
                select(CatalogAsset.title, AsRunEvent.reason).join(
                    CatalogAsset, CatalogAsset.id == AsRunEvent.asset_id
                )
            ).all()
    finally:
        db.dispose()
    assert reasons and all(reason == RENDITION_NOTE for _, reason in reasons), reasons
    assert {title for title, _ in reasons} <= {"cyan", "green"}
