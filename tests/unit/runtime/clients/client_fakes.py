"""A fake schedule (fakes over mocks) and a synchronous client for ASGI apps."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from retrovue.runtime.station_runtime import StationRuntime
from retrovue.runtime.web import create_app
from retrovue.schedule_manager.airing import Airing, ChannelInfo, ScheduledItem

NOW = dt.datetime(2025, 3, 3, 18, 10, tzinfo=dt.UTC)
# hdhomerun_config accepts it (tests/integration/clients/test_station_facts.py).
DEVICE_ID = "1A2B3C46"


@dataclass
class FakeSchedule:
    """Two channels; channel 2 airs half-hour programmes from 18:00 on, channel 3 nothing."""

    channels: list[ChannelInfo] = field(
        default_factory=lambda: [
            ChannelInfo(2, 'Retro "Two", East', "UTC", "Classics", None, True, "2.retrovue"),
            ChannelInfo(3, "Movies", "UTC", None, "http://logo.example/3.png", True, "3.retrovue"),
            ChannelInfo(9, "Dark", "UTC", None, None, False, "9.retrovue"),
        ]
    )
    token: tuple[int, int] = (1, 1)

    def device_id(self) -> str:
        return DEVICE_ID

    def guide_token(self) -> tuple[int, int]:
        return self.token

    def gating_revision(self) -> int:
        return 0

    def ping(self) -> None:
        return None

    def list_channels(self, active_only: bool = True) -> list[ChannelInfo]:
        return [c for c in self.channels if c.active or not active_only]

    def _items(self, number: int) -> list[ScheduledItem]:
        if number != 2:
            return []
        start = dt.datetime(2025, 3, 3, 18, 0, tzinfo=dt.UTC)
        return [
            ScheduledItem(
                event_id=index + 1,
                channel_number=2,
                broadcast_day=dt.date(2025, 3, 3),
                start_utc=start + dt.timedelta(minutes=30 * index),
                end_utc=start + dt.timedelta(minutes=30 * (index + 1)),
                kind="program",
                in_point_ms=0,
                program_group=int((start + dt.timedelta(minutes=30 * index)).timestamp()),
                asset_id=10 + index,
                file_path=f"/media/show{index}.mkv",
                title=f"Show {index}",
                canonical=True,
                available=True,
            )
            for index in range(8)
        ]

    def what_is_airing(self, channel_number: int, at: dt.datetime) -> Airing | None:
        for item in self._items(channel_number):
            if item.start_utc <= at < item.end_utc:
                return Airing(item, at)
        return None

    def items_between(
        self, channel_number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]:
        return [i for i in self._items(channel_number) if i.end_utc > start and i.start_utc < end]

    guide_between = items_between  # the fake keeps one tier for both


class IdleRuntime:
    """A station runtime with no channel live: enough for create_app to host client routes."""

    admin_token: str | None = None

    async def shutdown(self) -> None:
        return None


def station_app(routes: list[BaseRoute]) -> Starlette:
    """The real station app (its one error table included) with `routes` mounted."""
    return create_app(cast(StationRuntime, IdleRuntime()), routes)


class AppClient:
    """Synchronous requests into an ASGI app (httpx's ASGI transport, one event loop each)."""

    def __init__(self, app: Starlette, base_url: str = "http://station.test:8420") -> None:
        self.app = app
        self.base_url = base_url

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url=self.base_url) as http:
                return await http.request(method, path, **kwargs)

        return asyncio.run(send())

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)
