"""The station's ASGI app: playout routes, the director API, health, and routes others add."""

from __future__ import annotations

import contextlib
import hmac
import json
from collections.abc import AsyncIterator, Sequence

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from retrovue.errors import (
    DatabaseError,
    NotFoundError,
    RetroVueError,
    TunerBusyError,
    ValidationError,
)
from retrovue.runtime.channel_manager import ChannelManager
from retrovue.runtime.fanout import Viewer
from retrovue.runtime.station_runtime import StationRuntime

STATUS_OF: tuple[tuple[type[RetroVueError], int], ...] = (
    (NotFoundError, 404),
    (ValidationError, 400),
    (TunerBusyError, 503),
    (DatabaseError, 503),
)


class ChannelStream(Response):
    """The live .ts of one channel, tied to its client: the viewer leaves when the client does."""

    media_type = "video/mp2t"

    def __init__(self, manager: ChannelManager) -> None:
        super().__init__(media_type=self.media_type)
        # No content-length: the body never ends while the client watches.
        self.raw_headers = [(b"content-type", b"video/mp2t"), (b"cache-control", b"no-store")]
        self._manager = manager

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def body(viewer: Viewer) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            async with anyio.create_task_group() as group:

                async def pump() -> None:
                    with contextlib.suppress(OSError):
                        async for data in viewer.chunks():
                            await send(
                                {"type": "http.response.body", "body": data, "more_body": True}
                            )
                    group.cancel_scope.cancel()

                group.start_soon(pump)
                group.start_soon(until_disconnect, receive, group.cancel_scope)
            await end_body(send)

        await self._manager.serve(body)


async def until_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
    """Cancel `scope` once the client has gone."""
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()


async def end_body(send: Send) -> None:
    """The last (empty) body message; the client may already be gone."""
    with contextlib.suppress(OSError):
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _error_response(request: Request, error: Exception) -> Response:
    status = 500
    for kind, code in STATUS_OF:
        if isinstance(error, kind):
            status = code
            break
    return JSONResponse({"error": str(error)}, status_code=status)


def playout_routes(station: StationRuntime) -> list[BaseRoute]:
    """Routes of the playout layer: .ts, HLS, the director and health."""

    async def stream(request: Request) -> Response:
        manager = await station.tune(request.path_params["number"])
        return ChannelStream(manager)

    async def playlist(request: Request) -> Response:
        number = request.path_params["number"]
        manager = await station.tune(number)
        await manager.hls_touch()
        if not manager.hls.segments and not await manager.first_segment():
            return JSONResponse({"error": "channel is starting, retry"}, status_code=503)
        body = manager.hls.playlist(f"/iptv/channel/{number}/hls/{{sequence}}.ts")
        return PlainTextResponse(body, media_type="application/vnd.apple.mpegurl")

    async def segment(request: Request) -> Response:
        manager = await station.manager(request.path_params["number"])
        found = manager.segment(request.path_params["sequence"])
        if found is None:
            raise NotFoundError("segment", request.path_params["sequence"])
        await manager.hls_touch()
        return Response(found.data, media_type="video/mp2t")

    async def director(request: Request) -> Response:
        if request.method == "POST":
            if not station.admin_token:
                return JSONResponse({"error": "control API disabled"}, status_code=403)
            given = request.headers.get("authorization", "")
            expected = f"Bearer {station.admin_token}"
            if not hmac.compare_digest(given.encode(), expected.encode()):
                return JSONResponse({"error": "bad or missing token"}, status_code=401)
            try:
                body = json.loads(await request.body())
            except ValueError as error:
                raise ValidationError(f"body is not JSON: {error}") from error
            if not isinstance(body, dict):
                raise ValidationError("body must be a JSON object")
            message = body.get("message")
            station.deps.director.set_mode(
                str(body.get("mode")), None if message is None else str(message)
            )
        state = station.deps.director.state
        return JSONResponse({"mode": state.mode, "message": state.message})

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "live_channels": station.live_channels()})

    return [
        Route("/iptv/channel/{number:int}.ts", stream, methods=["GET"]),
        Route("/iptv/channel/{number:int}.m3u8", playlist, methods=["GET"]),
        Route("/iptv/channel/{number:int}/hls/{sequence:int}.ts", segment, methods=["GET"]),
        Route("/api/director", director, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]


def create_app(station: StationRuntime, extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The station app; `extra_routes` (M3U, XMLTV, HDHomeRun, JSON API) are mounted after ours.

    `app.state.station` is the StationRuntime: `may_tune(number)` and `live_channels()` let
    other routes honour the tuner limit. Shutting the app down stops every channel.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await station.shutdown()

    app = Starlette(
        routes=[*playout_routes(station), *extra_routes],
        exception_handlers={RetroVueError: _error_response},
        lifespan=lifespan,
    )
    app.state.station = station
    return app
