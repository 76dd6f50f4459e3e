"""The station's JSON API as the console reads it: health, now/next, the director; over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

UNREACHABLE = "station unreachable"


@dataclass(frozen=True)
class ChannelLive:
    """A channel as the station reports it now: on air or not, what airs and what follows."""

    number: int
    on_air: bool
    now: dict[str, Any] | None = None
    next: dict[str, Any] | None = None
    remaining_ms: int | None = None
    viewers: int | None = None
    problem: str | None = None


@dataclass(frozen=True)
class LiveStatus:
    """One look at the station; `problem` is set (and the rest empty) when it did not answer."""

    reachable: bool
    problem: str | None = None
    mode: str | None = None
    message: str | None = None
    channels: dict[int, ChannelLive] = field(default_factory=dict)


@dataclass
class StationClient:
    """One pooled HTTP client for the console's life: a live page's 30-odd asks share
    connections instead of opening one each."""

    base: str
    admin_token: str | None = None
    timeout_s: float = 2.0
    _pool: httpx.AsyncClient | None = field(default=None, init=False, repr=False)

    def _client(self) -> httpx.AsyncClient:
        if self._pool is None:
            self._pool = httpx.AsyncClient(
                base_url=self.base, timeout=self.timeout_s, trust_env=False
            )
        return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None

    async def status(self, numbers: Sequence[int]) -> LiveStatus:
        """Health, the director's mode and each channel's now/next, asked concurrently."""
        client = self._client()
        try:
            health, director, everything = await asyncio.gather(
                client.get("/healthz"), client.get("/api/director"), client.get("/api/now")
            )
        except httpx.HTTPError as error:
            return LiveStatus(False, f"{UNREACHABLE} at {self.base} ({_reason(error)})")
        if health.status_code != 200 or director.status_code != 200:
            return LiveStatus(False, f"{UNREACHABLE} at {self.base} (HTTP {health.status_code})")
        body = _json(health)
        live = set(body.get("live_channels") or [])
        counted = body.get("viewers")
        viewers: dict[str, Any] = counted if isinstance(counted, dict) else {}
        mode = _json(director)
        listed = _json(everything).get("channels") if everything.status_code == 200 else None
        found = {
            int(entry["channel"]["number"]): entry
            for entry in (listed if isinstance(listed, list) else [])
            if isinstance(entry, dict) and isinstance(entry.get("channel"), dict)
        }
        channels = {}
        for number in numbers:
            channels[number] = _channel(
                number, found.get(number), number in live, viewers.get(str(number))
            )
        return LiveStatus(True, None, mode.get("mode"), mode.get("message"), channels)

    async def set_mode(self, mode: str, message: str | None) -> tuple[bool, str]:
        """Ask the station to switch the director; (done, what the station said)."""
        if not self.admin_token:
            return False, "the station's control API needs RETROVUE_ADMIN_TOKEN set for the console"
        headers = {"Authorization": f"Bearer {self.admin_token}"}
        client = self._client()
        try:
            answer = await client.post(
                "/api/director", json={"mode": mode, "message": message}, headers=headers
            )
        except httpx.HTTPError as error:
            return False, f"{UNREACHABLE} at {self.base} ({_reason(error)})"
        body = _json(answer)
        if answer.status_code != 200:
            return False, str(
                body.get("error") or f"the station answered HTTP {answer.status_code}"
            )
        return True, str(body.get("mode"))


def _channel(number: int, body: dict[str, Any] | None, on_air: bool, viewers: Any) -> ChannelLive:
    if body is None:
        return ChannelLive(number, on_air, problem="the station does not list this channel")
    return ChannelLive(
        number,
        on_air,
        now=body.get("item"),
        next=body.get("next"),
        remaining_ms=body.get("remaining_ms"),
        viewers=viewers if isinstance(viewers, int) else None,
    )


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _reason(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "no answer in time"
    if isinstance(error, httpx.ConnectError):
        return "connection refused"
    return type(error).__name__
