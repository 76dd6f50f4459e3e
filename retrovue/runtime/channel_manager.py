"""ChannelManager: one per channel; starts playout on the first viewer, stops after the last."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from retrovue.runtime import channel_time
from retrovue.runtime.fanout import Fanout, Viewer
from retrovue.runtime.hls import HlsSegmenter, Segment
from retrovue.runtime.item_shape import channel_audio_languages
from retrovue.runtime.muxer import Chunk
from retrovue.runtime.planner import GuidePlan, Planner, ScheduleReader
from retrovue.runtime.playout import PlayoutDeps, PlayoutEngine, SlotSource
from retrovue.schedule_manager.airing import ChannelInfo

log = logging.getLogger(__name__)

HLS_LEASE_S = 12.0
HLS_FIRST_SEGMENT_S = 6.0
STOP_WAIT_S = 10.0  # how often a slow playout stop is reported while it is awaited
TUNE_REMEMBERED_S = 10.0  # a tune instant older than this is stale: the channel starts at now


@dataclass(frozen=True)
class ManagerSettings:
    linger_s: float = 30.0


class ChannelManager:
    """Owns a channel's playout engine, its viewers and its HLS window."""

    def __init__(
        self,
        channel: ChannelInfo,
        schedule: ScheduleReader,
        deps: PlayoutDeps,
        settings: ManagerSettings,
    ) -> None:
        self.channel = channel
        self._schedule = schedule
        self._deps = deps
        self._settings = settings
        self.fanout = Fanout()
        self.hls = HlsSegmenter(segment_ticks=channel_time.segment_ticks(deps.profile))
        self._engine: PlayoutEngine | None = None
        self._holders = 0
        self._linger: asyncio.Task[None] | None = None
        self._hls_lease: asyncio.TimerHandle | None = None
        self._segment_ready = asyncio.Event()
        self._lock = asyncio.Lock()
        self._tuned_at: dt.datetime | None = None
        self._stopping: set[asyncio.Task[None]] = set()
        self.starts = 0

    @property
    def live(self) -> bool:
        return self._engine is not None

    @property
    def holds_tuner(self) -> bool:
        """On air, or still stopping: its tuner is not free until playout has ended."""
        return self._engine is not None or bool(self._stopping)

    @property
    def idle(self) -> bool:
        """Nobody holds it and nothing runs: it may be forgotten."""
        return self._holders == 0 and not self.holds_tuner and self._linger is None

    @property
    def holders(self) -> int:
        return self._holders

    @property
    def producer_pids(self) -> set[int]:
        return set() if self._engine is None else set(self._engine.producer_pids)

    def note_tune(self, at: dt.datetime) -> None:
        """A viewer asked for the channel at `at`: if it starts for them, it starts from there.

        The request may wait on the database before playout starts; anchoring at the request
        keeps that wait out of the offset the viewer sees.
        """
        if self._engine is None:
            self._tuned_at = at

    # -- life --------------------------------------------------------------------------------
    async def _hold(self) -> None:
        async with self._lock:
            self._holders += 1
            if self._linger is not None:
                self._linger.cancel()
                self._linger = None
            if self._engine is None:
                self._start()

    async def _release(self) -> None:
        async with self._lock:
            self._holders -= 1
            if self._holders == 0 and self._engine is not None and self._linger is None:
                self._linger = asyncio.create_task(self._stop_after_linger())

    def _start(self) -> None:
        loop = asyncio.get_running_loop()

        def emit(chunks: list[Chunk]) -> None:
            loop.call_soon_threadsafe(self._publish, chunks)

        def failed(error: Exception) -> None:
            loop.call_soon_threadsafe(self._engine_failed, engine)

        planner: SlotSource = (
            GuidePlan()
            if self.channel.kind == "guide"
            else Planner(self._schedule, self.channel.number, self._deps.gating)
        )
        tuned_at, self._tuned_at = self._tuned_at, None
        now = self._deps.clock.now()
        if tuned_at is not None and (now - tuned_at).total_seconds() > TUNE_REMEMBERED_S:
            tuned_at = None
        engine = PlayoutEngine(
            self.channel.number, self.channel.name, planner, self._deps, emit, tuned_at, failed,
            channel_audio_languages(self.channel.presentation),
        )  # fmt: skip
        self._engine = engine
        engine.start()
        self.starts += 1
        log.info("channel %s on air", self.channel.number)

    def _publish(self, chunks: list[Chunk]) -> None:
        self.fanout.publish(chunks)
        self.hls.feed(chunks)
        if self.hls.segments:
            self._segment_ready.set()

    async def _stop_after_linger(self) -> None:
        await asyncio.sleep(self._settings.linger_s)
        async with self._lock:
            self._linger = None
            if self._holders == 0:
                await self._stop_engine()

    def retire(self, reason: str) -> None:
        """The channel left the air: its viewers see a last slate, then their streams end."""
        if self._engine is not None:
            log.info("channel %s signs off: %s", self.channel.number, reason)
            self._engine.sign_off(reason)

    def _engine_failed(self, engine: PlayoutEngine) -> None:
        """Playout ended by itself (it logged why, or it signed off): end every viewer and
        free the tuner."""
        if self._engine is engine:
            self._engine = None
            self._reap(engine)
            self._off_air()

    def _reap(self, engine: PlayoutEngine) -> asyncio.Task[None]:
        """Stop `engine` in a task that shutdown waits for, whoever else gives up on it."""
        task = asyncio.get_running_loop().create_task(self._join(engine))
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)
        return task

    async def _join(self, engine: PlayoutEngine) -> None:
        while not await asyncio.to_thread(engine.stop, STOP_WAIT_S):
            log.warning("channel %s: playout is slow to stop; waiting", self.channel.number)
        log.info("channel %s off air", self.channel.number)

    def _off_air(self) -> None:
        self.fanout.close()
        self.hls.reset()
        self._segment_ready.clear()

    async def _stop_engine(self) -> None:
        engine, self._engine = self._engine, None
        if engine is not None:
            # Shielded: a cancelled caller (shutdown cancelling a linger) leaves it running.
            await asyncio.shield(self._reap(engine))
        self._off_air()

    async def shutdown(self) -> None:
        """Stop now, whoever is watching (station shutdown); returns once playout ended."""
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        if self._hls_lease is not None:
            self._hls_lease.cancel()
            self._hls_lease = None
        async with self._lock:
            await self._stop_engine()
        await asyncio.gather(*self._stopping)

    # -- viewers -----------------------------------------------------------------------------
    async def serve(self, body: Callable[[Viewer], Awaitable[None]]) -> None:
        """Run `body` for a viewer of the .ts stream; the viewer leaves when it returns.

        A viewer that falls too far behind is dropped, and the task serving it is cancelled: a
        client that stopped reading leaves that task blocked on its socket for good otherwise.
        That cancellation ends `body` quietly; it is not an error of the application.
        """
        await self._hold()
        viewer = self.fanout.subscribe()
        task = asyncio.current_task()
        lagged = False

        def on_lag() -> None:
            nonlocal lagged
            lagged = True
            log.info("channel %s: a viewer fell behind and was dropped", self.channel.number)
            if task is not None:
                task.cancel()

        viewer.on_lag = on_lag
        try:
            await body(viewer)
        except asyncio.CancelledError:
            if not lagged or task is None:
                raise
            task.uncancel()
        finally:
            self.fanout.unsubscribe(viewer)
            await self._release()

    async def hls_touch(self) -> None:
        """An HLS client asked for something: keep the channel live for a lease."""
        if self._hls_lease is None:
            await self._hold()
        else:
            self._hls_lease.cancel()
        loop = asyncio.get_running_loop()
        self._hls_lease = loop.call_later(HLS_LEASE_S, self._hls_expired)

    def _hls_expired(self) -> None:
        self._hls_lease = None
        task = asyncio.get_running_loop().create_task(self._release())
        task.add_done_callback(lambda done: done.exception())

    async def first_segment(self) -> bool:
        """Wait until the HLS window has a segment; False when none came in time."""
        try:
            await asyncio.wait_for(self._segment_ready.wait(), HLS_FIRST_SEGMENT_S)
            return True
        except TimeoutError:
            return False

    def segment(self, sequence: int) -> Segment | None:
        return self.hls.segment(sequence)
