"""The live side of the station: one ChannelManager per channel and the tuner limit."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from retrovue.domain.errors import NotFoundError, RetroVueError
from retrovue.runtime.channel_manager import ChannelManager, ManagerSettings
from retrovue.runtime.planner import ScheduleReader
from retrovue.runtime.playout import PlayoutDeps
from retrovue.schedule_manager.airing import Airing, ChannelInfo, ScheduledItem

DEFAULT_MAX_LIVE_CHANNELS = 4


class ChannelDirectory(ScheduleReader, Protocol):
    """ScheduleService as the runtime reads it: channels and what airs on them."""

    def list_channels(self, active_only: bool = True) -> list[ChannelInfo]: ...

    def what_is_airing(self, channel_number: int, at: dt.datetime) -> Airing | None: ...

    def items_between(
        self, channel_number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]: ...


class TunerBusyError(RetroVueError):
    """Every tuner is in use: a new channel may not go live (HTTP 503)."""


@dataclass
class StationRuntime:
    """What the playout routes share; `may_tune` is the tuner-count hook for other routes."""

    schedule: ChannelDirectory
    deps: PlayoutDeps
    manager_settings: ManagerSettings = field(default_factory=ManagerSettings)
    admin_token: str | None = None
    max_live_channels: int = DEFAULT_MAX_LIVE_CHANNELS
    managers: dict[int, ChannelManager] = field(default_factory=dict)

    def live_channels(self) -> list[int]:
        """Numbers of the channels that are on air now."""
        return sorted(number for number, manager in self.managers.items() if manager.live)

    def may_tune(self, number: int) -> bool:
        """Whether channel `number` may stream: it is live, or a tuner is free."""
        manager = self.managers.get(number)
        if manager is not None and manager.live:
            return True
        return len(self.live_channels()) < self.max_live_channels

    async def manager(self, number: int) -> ChannelManager:
        """The channel's manager; NotFoundError for an unknown or inactive channel."""
        if number not in self.managers:
            channels = await asyncio.to_thread(self.schedule.list_channels, True)
            found = next((c for c in channels if c.number == number), None)
            if found is None:
                raise NotFoundError("channel", number)
            if number not in self.managers:
                self.managers[number] = ChannelManager(
                    found, self.schedule, self.deps, self.manager_settings
                )
        return self.managers[number]

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

    def drop_viewers(self) -> None:
        """End every viewer's stream (the station is shutting down)."""
        for manager in self.managers.values():
            manager.fanout.close()

    async def shutdown(self) -> None:
        """Stop every channel (each reaps its producers), then flush the as-run log."""
        await asyncio.gather(*(m.shutdown() for m in self.managers.values()))
        await asyncio.to_thread(self.deps.asrun.close)
