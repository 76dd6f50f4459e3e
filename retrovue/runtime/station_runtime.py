"""The live side of the station: one ChannelManager per channel and the tuner limit."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Protocol

from retrovue.errors import NotFoundError, RetroVueError, TunerBusyError
from retrovue.runtime.channel_manager import ChannelManager, ManagerSettings
from retrovue.runtime.gating import WATCH_EVERY_S
from retrovue.runtime.planner import ScheduleReader
from retrovue.runtime.playout import PlayoutDeps
from retrovue.schedule_manager.airing import Airing, ChannelInfo, ScheduledItem

log = logging.getLogger(__name__)

DEFAULT_MAX_LIVE_CHANNELS = 4
CHANNELS_FRESH_S = 5.0  # a tune trusts the active channel list for this long


class ChannelDirectory(ScheduleReader, Protocol):
    """ScheduleService as the runtime reads it: channels and what airs on them."""

    def ping(self) -> None: ...

    def list_channels(self, active_only: bool = True) -> list[ChannelInfo]: ...

    def what_is_airing(self, channel_number: int, at: dt.datetime) -> Airing | None: ...

    def items_between(
        self, channel_number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]: ...


@dataclass
class StationRuntime:
    """What the playout routes share; `may_tune` is the tuner-count hook for other routes."""

    schedule: ChannelDirectory
    deps: PlayoutDeps
    manager_settings: ManagerSettings = field(default_factory=ManagerSettings)
    admin_token: str | None = None
    max_live_channels: int = DEFAULT_MAX_LIVE_CHANNELS
    managers: dict[int, ChannelManager] = field(default_factory=dict)

    _active: dict[int, ChannelInfo] = field(default_factory=dict, init=False, repr=False)
    _active_at: float | None = field(default=None, init=False, repr=False)

    def live_channels(self) -> list[int]:
        """Numbers of the channels that are on air now."""
        return sorted(number for number, manager in self.managers.items() if manager.live)

    def viewer_counts(self) -> dict[str, int]:
        """Viewers of each live channel (.ts and browser streams, and an HLS lease as one)."""
        return {str(n): m.holders for n, m in sorted(self.managers.items()) if m.live}

    def may_tune(self, number: int) -> bool:
        """Whether channel `number` may stream: it holds a tuner, or a tuner is free.

        A channel still stopping holds its tuner until its playout has ended.
        """
        manager = self.managers.get(number)
        if manager is not None and manager.holds_tuner:
            return True
        held = sum(1 for manager in self.managers.values() if manager.holds_tuner)
        return held < self.max_live_channels

    async def _active_channels(self) -> dict[int, ChannelInfo]:
        """The active channels, read again once the last reading is a few seconds old.

        When the database cannot say, the last reading stands (playout goes on from its
        cache too); with none, the error is the answer.
        """
        now = self.deps.clock.monotonic()
        if self._active_at is not None and now - self._active_at < CHANNELS_FRESH_S:
            return self._active
        try:
            channels = await asyncio.to_thread(self.schedule.list_channels, True)
        except RetroVueError as error:
            if self._active_at is None:
                raise
            log.warning("channel list unreadable, using the last one: %s", error)
            return self._active
        self._active = {channel.number: channel for channel in channels}
        self._active_at = now
        return self._active

    async def manager(self, number: int) -> ChannelManager:
        """The channel's manager; NotFoundError for an unknown or inactive channel."""
        found = (await self._active_channels()).get(number)
        current = self.managers.get(number)
        if current is not None and current.idle and current.channel != found:
            del self.managers[number]  # deactivated, renumbered or renamed since it was made
            current = None
        if found is None:
            raise NotFoundError("channel", number)
        if current is None:
            current = ChannelManager(found, self.schedule, self.deps, self.manager_settings)
            self.managers[number] = current
        return current

    async def tune(self, number: int) -> ChannelManager:
        """The manager of a channel a viewer may watch; TunerBusyError when none is free."""
        asked = self.deps.clock.now()
        manager = await self.manager(number)
        if not self.may_tune(number):
            raise TunerBusyError(
                f"all {self.max_live_channels} tuners are busy; channel {number} cannot start"
            )
        manager.note_tune(asked)
        return manager

    async def reconcile(self) -> None:
        """Sign off the live channels that were removed or deactivated since they went live."""
        try:
            active = await self._active_channels()
        except RetroVueError as error:
            log.warning("channel list unreadable: %s", error)
            return
        for number, manager in list(self.managers.items()):
            if number not in active and manager.live:
                manager.retire(f"channel {number} left the air")

    async def watch(self, every: float = WATCH_EVERY_S) -> None:
        """Housekeeping for the station's life: learn the catalog's gating revision (so a
        withdrawal is known before any outage) and sign off channels taken off the air."""
        while True:
            await asyncio.to_thread(self.deps.gating.poll)
            await self.reconcile()
            if self.deps.guide is not None:
                await asyncio.to_thread(self.deps.guide.idle_check)
            await asyncio.sleep(every)

    def drop_viewers(self) -> None:
        """End every viewer's stream (the station is shutting down)."""
        for manager in self.managers.values():
            manager.fanout.close()

    async def shutdown(self) -> None:
        """Stop every channel and wait for its playout to end, then flush the as-run log."""
        await asyncio.gather(*(m.shutdown() for m in list(self.managers.values())))
        if self.deps.guide is not None:
            await asyncio.to_thread(self.deps.guide.close)
        await asyncio.to_thread(self.deps.asrun.close)
