"""The playout routes in-process: HEAD that starts nothing, a director that refuses odd bodies
with a 4xx, and health that says what the database is doing."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from retrovue.errors import DatabaseError
from retrovue.ffmpeg import Ffmpeg
from retrovue.runtime.asrun_logger import AsRunLogger
from retrovue.runtime.channel_manager import ManagerSettings
from retrovue.runtime.clients import ClientConfig, ClientContext
from retrovue.runtime.fanout import Viewer
from retrovue.runtime.master_clock import SystemClock
from retrovue.runtime.pages import page_routes
from retrovue.runtime.playout import PlayoutDeps
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import OutputProfile
from retrovue.runtime.program_director import ProgramDirector
from retrovue.runtime.station_runtime import StationRuntime
from retrovue.runtime.web import create_app
from retrovue.schedule_manager.airing import Airing, ChannelInfo, ScheduledItem

TOKEN = "s3cret"


class Directory:
    """Channels 1 and 2, nothing scheduled; `gate` holds playout in its first lookup, and
    `ping` fails or hangs as the test says."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.ping_error: Exception | None = None
        self.ping_hangs = threading.Event()

    def ping(self) -> None:
        if self.ping_hangs.is_set():
            self.gate.wait(10)
        if self.ping_error is not None:
            raise self.ping_error

    def list_channels(self, active_only: bool = True) -> list[ChannelInfo]:
        return [ChannelInfo(n, f"Test {n}", "UTC", None, None, True, f"{n}.t") for n in (1, 2)]

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


def station(directory: Directory, scratch: Path, tuners: int = 1) -> StationRuntime:
    profile = OutputProfile()
    deps = PlayoutDeps(
        clock=SystemClock(),
        ffmpeg=Ffmpeg(str(scratch / "no-such-ffmpeg")),
        producers=ProducerFactory(profile, scratch / "cards", None),
        profile=profile,
        director=ProgramDirector(),
        asrun=AsRunLogger(lambda entries: {}),
    )
    return StationRuntime(
        directory, deps, ManagerSettings(linger_s=0), admin_token=TOKEN, max_live_channels=tuners
    )


Scenario = Callable[[httpx.AsyncClient, StationRuntime, Directory], Awaitable[None]]


def run(scratch: Path, scenario: Scenario, tuners: int = 1) -> None:
    directory = Directory()

    async def main() -> None:
        runtime = station(directory, scratch, tuners)
        pages = ClientContext(directory, ClientConfig("1234ABCD"), SystemClock().now)  # type: ignore[arg-type]
        app = create_app(runtime, page_routes(runtime, pages))
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://tv") as client:
                await scenario(client, runtime, directory)
        finally:
            directory.gate.set()
            await runtime.shutdown()

    asyncio.run(main())


def test_head_on_every_stream_route_answers_the_get_headers_and_starts_nothing(
    tmp_path: Path,
) -> None:
    async def scenario(client: httpx.AsyncClient, runtime: StationRuntime, _: Directory) -> None:
        for path, kind in (
            ("/iptv/channel/1.ts", "video/mp2t"),
            ("/iptv/channel/1.m3u8", "application/vnd.apple.mpegurl"),
            ("/iptv/channel/1.mp4", "video/mp4"),
        ):
            answer = await asyncio.wait_for(client.head(path), 1.0)
            assert answer.status_code == 200, path
            assert answer.headers["content-type"] == kind
            assert answer.headers["cache-control"] == "no-store"
            assert "content-length" not in answer.headers  # the GET's body has no end
        assert (await client.head("/iptv/channel/7.ts")).status_code == 404
        assert (await client.head("/iptv/channel/1/hls/0.ts")).status_code == 404
        assert runtime.live_channels() == []
        assert not any(m.holds_tuner for m in runtime.managers.values())

    run(tmp_path, scenario)


def test_head_refuses_like_get_when_every_tuner_is_busy_and_takes_none_itself(
    tmp_path: Path,
) -> None:
    async def scenario(client: httpx.AsyncClient, runtime: StationRuntime, _: Directory) -> None:
        manager = await runtime.tune(1)
        watching = asyncio.Event()

        async def viewer(seen: Viewer) -> None:
            watching.set()
            await asyncio.Event().wait()

        holder = asyncio.create_task(manager.serve(viewer))
        await watching.wait()
        assert (await client.head("/iptv/channel/1.ts")).status_code == 200
        busy = await client.head("/iptv/channel/2.ts")
        assert busy.status_code == 503
        assert (await client.get("/iptv/channel/2.ts")).status_code == 503
        assert runtime.live_channels() == [1]
        holder.cancel()
        await asyncio.gather(holder, return_exceptions=True)

    run(tmp_path, scenario)


def test_director_bodies_that_are_not_a_small_json_object_are_400_never_500(
    tmp_path: Path,
) -> None:
    auth = {"authorization": f"Bearer {TOKEN}"}

    async def scenario(client: httpx.AsyncClient, runtime: StationRuntime, _: Directory) -> None:
        bodies = {
            b"[" * 100_000 + b"]" * 100_000: "large",
            b"[" * 5000 + b"]" * 5000: "nested too deeply",
            b"\xff\xfe not utf-8": "not JSON",
            b"[1, 2]": "JSON object",
            b'{"mode": "emergency", "message": "' + b"x" * 600 + b'"}': "message",
            b'{"mode": "off"}': "mode",
        }
        for body, said in bodies.items():
            answer = await client.post("/api/director", content=body, headers=auth)
            assert answer.status_code == 400, said
            assert said in answer.json()["error"]
        assert runtime.deps.director.state.mode == "normal"

    run(tmp_path, scenario)


def test_director_refusals_come_from_the_error_table(tmp_path: Path) -> None:
    async def scenario(client: httpx.AsyncClient, runtime: StationRuntime, _: Directory) -> None:
        wrong = await client.post("/api/director", json={"mode": "normal"})
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"] == "Bearer"
        assert wrong.json() == {"error": "bad or missing token"}
        runtime.admin_token = None
        closed = await client.post("/api/director", json={"mode": "normal"})
        assert closed.status_code == 403
        assert "disabled" in closed.json()["error"]

    run(tmp_path, scenario)


def test_health_is_200_with_the_database_up_and_503_degraded_when_it_is_not(
    tmp_path: Path,
) -> None:
    async def scenario(client: httpx.AsyncClient, runtime: StationRuntime, db: Directory) -> None:
        up = await client.get("/healthz")
        assert up.status_code == 200
        assert up.json() == {"status": "ok", "database": "ok", "live_channels": [], "viewers": {}}
        db.ping_error = DatabaseError("could not connect to server: Connection refused")
        down = await client.get("/healthz")
        assert down.status_code == 503
        body = down.json()
        assert body["status"] == "degraded"
        assert body["database"] == "unreachable: could not connect to server: Connection refused"
        assert body["still_working"] and body["not_working"]
        db.ping_error = None
        db.ping_hangs.set()  # a database that never answers is down too
        began = asyncio.get_running_loop().time()
        hung = await client.get("/healthz")
        assert hung.status_code == 503
        assert "no answer within" in hung.json()["database"]
        assert asyncio.get_running_loop().time() - began < 3.0

    run(tmp_path, scenario)
