"""Load shedding: a few expensive requests at a time, a short wait, then 503 with Retry-After."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import httpx
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from retrovue.runtime.load_shedding import LoadShedder
from retrovue.runtime.web import error_response


class SlowApp:
    """Answers once `release` is set, counting how many requests it holds at once."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.running = 0
        self.most = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            if Request(scope).url.path != "/cheap":
                await self.release.wait()
            await PlainTextResponse("ok")(scope, receive, send)
        finally:
            self.running -= 1


def shedder(app: SlowApp) -> LoadShedder:
    return LoadShedder(app, re.compile(r"/slow"), error_response, running=2, waiting=3, wait_s=0.3)


async def until(condition: Callable[[], bool], limit_s: float = 5.0) -> None:
    async with asyncio.timeout(limit_s):
        while not condition():
            await asyncio.sleep(0.01)


def test_beyond_the_running_and_waiting_limits_requests_are_refused_with_retry_after() -> None:
    async def scenario() -> None:
        app = SlowApp()
        gate = shedder(app)
        transport = httpx.ASGITransport(app=gate)
        async with httpx.AsyncClient(transport=transport, base_url="http://tv") as client:
            answers = [asyncio.create_task(client.get("/slow")) for _ in range(20)]
            # Two run and three wait: the other fifteen are refused while the two still run.
            await until(lambda: gate.shed == 15)
            assert app.running == 2
            cheap = await client.get("/cheap")  # other doors are never held up
            assert cheap.status_code == 200
            await until(lambda: gate.shed == 18)  # the waiters' turn did not come in time
            assert app.running == 2
            app.release.set()
            done = await asyncio.gather(*answers)
        statuses = [a.status_code for a in done]
        assert (statuses.count(200), statuses.count(503)) == (2, 18)
        for answer in done:
            if answer.status_code == 503:
                assert answer.headers["retry-after"] == "1"
                assert "busy" in answer.json()["error"]
        assert app.most <= 3  # the two turns, and /cheap beside them

    asyncio.run(scenario())


def test_a_waiting_request_gets_the_turn_a_finished_one_frees() -> None:
    async def scenario() -> None:
        app = SlowApp()
        transport = httpx.ASGITransport(app=shedder(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://tv") as client:
            answers = [asyncio.create_task(client.get("/slow")) for _ in range(4)]
            await asyncio.sleep(0.1)
            app.release.set()
            done = await asyncio.gather(*answers)
        assert [a.status_code for a in done] == [200, 200, 200, 200]

    asyncio.run(scenario())
