"""The live side in one process: playout that fails, channels that go, tuners that stop."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from pathlib import Path

import pytest

from retrovue.errors import NotFoundError
from retrovue.ffmpeg import Ffmpeg
from retrovue.runtime.asrun_logger import AsRunLogger
from retrovue.runtime.channel_manager import ManagerSettings
from retrovue.runtime.fanout import VIEWER_MAX_BYTES, Viewer
from retrovue.runtime.master_clock import FakeClock, MasterClock, SystemClock
from retrovue.runtime.muxer import Chunk
from retrovue.runtime.playout import PlayoutDeps
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import OutputProfile
from retrovue.runtime.program_director import ProgramDirector
from retrovue.runtime.station_runtime import StationRuntime
from retrovue.schedule_manager.airing import Airing, ChannelInfo, ScheduledItem

EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def no_asrun(entries: object) -> dict[int, int]:
    """The as-run log's writer; these tests air nothing worth a row."""
    raise AssertionError("nothing should be logged")


class Directory:
    """Active channels and an empty schedule; `gate` holds playout in its schedule lookup."""

    def __init__(self, *numbers: int) -> None:
        self.active = set(numbers)
        self.gate = threading.Event()
        self.gate.set()

    def list_channels(self, active_only: bool = True) -> list[ChannelInfo]:
        return [
            ChannelInfo(n, f"Test {n}", "UTC", None, None, True, f"{n}.test")
            for n in sorted(self.active)
        ]

    def what_is_airing(self, channel_number: int, at: dt.datetime) -> Airing | None:
        self.gate.wait(10)
        return None

    def gating_revision(self) -> int:
        return 0

    def items_between(
        self, channel_number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]:
        return []

    guide_between = items_between  # the fake keeps one tier for both


def runtime(
    directory: Directory, scratch: Path, clock: MasterClock | None = None, tuners: int = 4
) -> StationRuntime:
    """A station whose ffmpeg cannot start: every producer spawn raises FfmpegError."""
    profile = OutputProfile()
    deps = PlayoutDeps(
        clock=clock or SystemClock(),
        ffmpeg=Ffmpeg(str(scratch / "no-such-ffmpeg")),
        producers=ProducerFactory(profile, scratch / "cards", None),
        profile=profile,
        director=ProgramDirector(),
        asrun=AsRunLogger(no_asrun),
    )
    return StationRuntime(directory, deps, ManagerSettings(linger_s=0), max_live_channels=tuners)


async def drain(viewer: Viewer) -> None:
    async for _ in viewer.chunks():
        pass


def test_playout_that_cannot_start_ends_the_viewers_stream_and_frees_the_channel(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        station = runtime(Directory(1), tmp_path)
        manager = await station.tune(1)
        await asyncio.wait_for(manager.serve(drain), 5)
        assert not manager.live
        await station.shutdown()
        assert not manager.holds_tuner

    asyncio.run(scenario())


def test_a_viewer_dropped_for_lagging_ends_quietly(tmp_path: Path) -> None:
    async def scenario() -> None:
        station = runtime(Directory(1), tmp_path)
        manager = await station.tune(1)

        async def stalled(viewer: Viewer) -> None:
            manager.fanout.publish([Chunk(b"x" * (VIEWER_MAX_BYTES + 1))])
            await asyncio.Event().wait()  # a client that never reads

        await asyncio.wait_for(manager.serve(stalled), 5)
        assert manager.fanout.dropped_viewers == 1
        await station.shutdown()

    asyncio.run(scenario())


def test_a_channel_deactivated_after_its_first_tune_is_refused_once_the_list_is_read_again(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        clock = FakeClock(EPOCH)
        directory = Directory(1)
        station = runtime(directory, tmp_path, clock)
        await station.tune(1)
        directory.active.clear()
        clock.advance(10)
        with pytest.raises(NotFoundError):
            await station.tune(1)
        assert station.managers == {}
        await station.shutdown()

    asyncio.run(scenario())


def test_a_channel_still_stopping_holds_its_tuner_and_shutdown_waits_for_it(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        directory = Directory(1, 2)
        directory.gate.clear()  # playout of channel 1 hangs in the schedule
        station = runtime(directory, tmp_path, tuners=1)
        manager = await station.tune(1)
        await manager.serve(lambda viewer: asyncio.sleep(0))
        while manager.live:  # the linger (0 s) begins the stop
            await asyncio.sleep(0.01)
        assert manager.holds_tuner
        assert not station.may_tune(2)
        stopping = asyncio.create_task(station.shutdown())
        await asyncio.sleep(0.3)
        assert not stopping.done()
        directory.gate.set()
        await asyncio.wait_for(stopping, 10)
        assert not manager.holds_tuner

    asyncio.run(scenario())
