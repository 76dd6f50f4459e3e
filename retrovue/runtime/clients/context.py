"""What the client-facing routes share: the schedule they read, the clock, the station's facts."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from starlette.requests import Request

from retrovue.errors import NotFoundError, ValidationError
from retrovue.schedule_manager.airing import Airing, ChannelInfo, ScheduledItem

WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})


class ScheduleReader(Protocol):
    """The schedule manager's read side, as `ScheduleService` offers it."""

    def device_id(self) -> str: ...

    def guide_token(self) -> tuple[int, int]: ...

    def ping(self) -> None: ...

    def list_channels(self, active_only: bool = True) -> list[ChannelInfo]: ...

    def what_is_airing(self, channel_number: int, at: dt.datetime) -> Airing | None: ...

    def items_between(
        self, channel_number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]: ...

    def guide_between(
        self, channel_number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]: ...


@dataclass(frozen=True)
class ClientConfig:
    """How the station presents itself; `public_url` overrides URLs taken from requests."""

    device_id: str
    tuner_count: int = 4
    friendly_name: str = "RetroVue"
    public_url: str | None = None
    listen_host: str = "127.0.0.1"
    listen_port: int = 8420

    def __post_init__(self) -> None:
        if self.tuner_count < 1:
            raise ValidationError("the tuner count must be at least 1", "tuner_count")
        if self.public_url is not None and urlsplit(self.public_url).scheme not in (
            "http",
            "https",
        ):
            raise ValidationError(
                f"public URL {self.public_url!r} must start with http:// or https://",
                "public_url",
            )

    def request_base(self, request: Request) -> str:
        """The station's base URL as this client reached it (no trailing slash)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return str(request.base_url).rstrip("/")

    def advertised_base(self, peer_host: str) -> str:
        """The base URL to give a peer that found us by discovery, with no request to go by."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = self.listen_host
        if host in WILDCARD_HOSTS:
            host = local_address_towards(peer_host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.listen_port}"


def local_address_towards(peer_host: str) -> str:
    """The local address the kernel would use to reach `peer_host` (no packet is sent)."""
    family = socket.AF_INET6 if ":" in peer_host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect((peer_host, 9))
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1" if family == socket.AF_INET else "::1"


@dataclass(frozen=True)
class ClientContext:
    """Everything a client route needs; built once by the station entry."""

    schedule: ScheduleReader
    config: ClientConfig
    clock: Callable[[], dt.datetime]

    def channel(self, number: int) -> ChannelInfo:
        """An active channel by number, or NotFoundError."""
        for channel in self.schedule.list_channels(active_only=True):
            if channel.number == number:
                return channel
        raise NotFoundError("channel", number)
