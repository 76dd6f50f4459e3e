"""Real playout splicing renditions between live items: one clean stream, on schedule.

Playout does not choose renditions yet; these tests give it, at its producer edge, a source
factory doing what that choice will do: a file with a rendition is read from it at the
offset and for the length the producer would have been given, anything else runs ffmpeg.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from capture_analysis import analyse, bar_position_s, classify_colour, transitions
from conftest import Clip, build_schedule
from sqlalchemy import select

from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.infra.db import open_database
from retrovue.runtime.asrun_logger import AsRunLogger
from retrovue.runtime.gating import GatingWatch
from retrovue.runtime.master_clock import SystemClock
from retrovue.runtime.muxer import Chunk
from retrovue.runtime.planner import Planner
from retrovue.runtime.playout import PlayoutDeps, PlayoutEngine
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import OutputProfile
from retrovue.runtime.program_director import ProgramDirector
from retrovue.runtime.renditions.maker import RenditionMaker
from retrovue.runtime.renditions.prepare import Preparer
from retrovue.runtime.renditions.recipe import Recipe
from retrovue.runtime.renditions.shelf import RenditionShelf
from retrovue.runtime.renditions.source import RenditionSource
from retrovue.runtime.source import ProducerSource, Source, SourceFactory
from retrovue.schedule_manager.models import AsRunEvent, PlaylogEvent
from retrovue.schedule_manager.schedule_service import ScheduleService

PROFILE = OutputProfile()
ORDER = ["red", "cyan", "blue", "green"]  # cyan and green air from renditions
PREPARED = ("cyan", "green")


def splicing(ffmpeg: Ffmpeg, renditions: dict[str, Path], used: list[str]) -> SourceFactory:
    def start(args: list[str], label: str) -> Source:
        source = args[args.index("-i") + 1] if "-i" in args else None
        if source in renditions:
            offset = float(args[args.index("-ss") + 1])
            seconds = float(args[args.index("-t") + 1])
            used.append(label)
            return RenditionSource(renditions[source], offset, seconds, label)
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


@pytest.mark.slow
def test_rendition_and_live_items_mix_in_one_clean_stream_on_the_schedule(
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
    made = Preparer(shelf, maker).run(1).made
    renditions = {
        m.planned.asset.file_path: m.path for m in made if m.planned.asset.title in PREPARED
    }
    assert len(renditions) == 2
    # Tune in 2.5 s into a rendition item.
    events = service.items_between(1, clock.now(), start + dt.timedelta(minutes=10))
    cyan = next(e for e in events if e.title == "cyan" and e.start_utc > clock.now())
    while clock.now() < cyan.start_utc + dt.timedelta(seconds=2.5):
        time.sleep(0.01)
    capture = tmp_path / "capture.ts"
    used: list[str] = []
    asrun = AsRunLogger(service.record_asrun)
    deps = PlayoutDeps(
        clock=clock, ffmpeg=ffmpeg, producers=producers, profile=PROFILE,
        director=ProgramDirector(), asrun=asrun, gating=GatingWatch(service.gating_revision),
        sources=splicing(ffmpeg, renditions, used),
    )  # fmt: skip
    with capture.open("wb") as sink:

        def emit(chunks: list[Chunk]) -> None:
            for chunk in chunks:
                sink.write(chunk.data)

        planner = Planner(service, 1, deps.gating)
        engine = PlayoutEngine(1, "Test 1", planner, deps, emit)
        engine.start()
        time.sleep(26)  # the rest of cyan, blue, green, red and into cyan again
        assert engine.stop()
    asrun.close()
    assert len(used) >= 3, used
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
    debug = subprocess.run(
        [ffmpeg.binary, "-hide_banner", "-loglevel", "debug", "-i", str(capture),
         "-f", "null", "-"],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert "Continuity check failed" not in debug.stderr
    with service.database.reading() as session:
        rows = session.execute(
            select(AsRunEvent.started_utc, PlaylogEvent.start_utc)
            .join(PlaylogEvent, PlaylogEvent.id == AsRunEvent.playlog_event_id)
            .order_by(AsRunEvent.started_utc)
        ).all()
    assert len(rows) >= 5
    for aired, scheduled in rows[1:]:  # the first began where the viewer tuned in
        assert abs((aired - scheduled).total_seconds()) <= 1 / 30, "each on its scheduled tick"
