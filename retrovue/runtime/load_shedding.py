"""Shedding load: a few expensive requests at a time, a short wait for the rest, then 503.

A request queued behind hundreds of others is answered after its client has given up, and
the server works through that abandoned backlog for minutes while everything else waits.
Refusing at once with Retry-After keeps every answer fast, the refusals included.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Final

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from retrovue.errors import RetroVueError, RetryLaterError

RUNNING: Final = 4  # expensive requests served at once (the database pool's size)
WAITING: Final = 32  # requests that may wait for a turn; beyond, refused at once
WAIT_S: Final = 1.0  # how long one may wait before it is refused
RETRY_AFTER_S: Final = 1


class LoadShedder:
    """ASGI middleware around the requests whose path fully matches `expensive`."""

    def __init__(
        self,
        app: ASGIApp,
        expensive: re.Pattern[str],
        refuse: Callable[[RetroVueError], Response],
        running: int = RUNNING,
        waiting: int = WAITING,
        wait_s: float = WAIT_S,
    ) -> None:
        self._app = app
        self._expensive = expensive
        self._refuse = refuse
        self._turns = asyncio.Semaphore(running)
        self._waiting = 0
        self._max_waiting = waiting
        self._wait_s = wait_s
        self.shed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._expensive.fullmatch(scope["path"]):
            await self._app(scope, receive, send)
            return
        if not await self._turn():
            self.shed += 1
            busy = RetryLaterError(
                f"the station is busy; retry in {RETRY_AFTER_S} s", RETRY_AFTER_S
            )
            await self._refuse(busy)(scope, receive, send)
            return
        try:
            await self._app(scope, receive, send)
        finally:
            self._turns.release()

    async def _turn(self) -> bool:
        """Whether this request got a turn within the wait; False when it is to be refused."""
        if not self._turns.locked():
            await self._turns.acquire()  # free: taken at once, before any other request runs
            return True
        if self._waiting >= self._max_waiting:
            return False
        self._waiting += 1
        try:
            await asyncio.wait_for(self._turns.acquire(), self._wait_s)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiting -= 1
