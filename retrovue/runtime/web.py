"""The station's ASGI app: playout routes, the director API, health, and routes others add."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import re
from collections.abc import AsyncIterator, Sequence
from typing import Final

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from retrovue.errors import (
    ConflictError,
    DatabaseError,
    ForbiddenError,
    NotFoundError,
    RetroVueError,
    RetryLaterError,
    TunerBusyError,
    UnauthorizedError,
    ValidationError,
)
from retrovue.runtime.channel_manager import ChannelManager
from retrovue.runtime.fanout import Viewer
from retrovue.runtime.load_shedding import LoadShedder
from retrovue.runtime.station_runtime import StationRuntime

STATUS_OF: tuple[tuple[type[RetroVueError], int], ...] = (
    (NotFoundError, 404),
    (ValidationError, 400),
    (ConflictError, 409),
    (UnauthorizedError, 401),
    (ForbiddenError, 403),
    (TunerBusyError, 503),
    (RetryLaterError, 503),
    (DatabaseError, 503),
)
# The doors whose answers read the schedule afresh: under load they are shed, never queued.
SCHEDULE_READS: Final = re.compile(
    r"/(watch/\d+|api/channels(/.*)?|api/now|iptv/channels\.m3u|iptv/xmltv\.xml|lineup\.json)?"
)
DIRECTOR_BODY_BYTES: Final = 16 * 1024
DIRECTOR_MESSAGE_CHARS: Final = 500
PING_TIMEOUT_S: Final = 2.0
STILL_WORKING: Final = (
    "channels on air keep playing from the schedule they have read",
    "as-run entries wait on disk until the database is back",
)
NOT_WORKING: Final = (
    "the guide page, M3U, HDHomeRun lineup and the JSON API (they read the database)",
)


class ChannelStream(Response):
    """The live .ts of one channel, tied to its client: the viewer leaves when the client does."""

    media_type = "video/mp2t"

    def __init__(self, manager: ChannelManager) -> None:
        super().__init__(media_type=self.media_type)
        # No content-length: the body never ends while the client watches.
        self.raw_headers = live_headers(self.media_type)
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


def live_headers(media_type: str) -> list[tuple[bytes, bytes]]:
    return [(b"content-type", media_type.encode()), (b"cache-control", b"no-store")]


class LiveHead(Response):
    """What HEAD on a live stream answers: the headers its GET would send, and no body.

    No content-length (the GET's body has none: it never ends), so a client that reads this
    answer knows it is complete and may send its next request on the same connection.
    """

    def __init__(self, media_type: str) -> None:
        super().__init__(media_type=media_type)
        self.raw_headers = live_headers(media_type)


async def may_stream(station: StationRuntime, number: int) -> None:
    """What a GET of channel `number`'s stream would refuse, without starting anything."""
    await station.manager(number)  # NotFoundError for a channel that is not on the station
    if not station.may_tune(number):
        raise TunerBusyError(
            f"all {station.max_live_channels} tuners are busy; channel {number} cannot start"
        )


async def until_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
    """Cancel `scope` once the client has gone."""
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()


async def end_body(send: Send) -> None:
    """The last (empty) body message; the client may already be gone."""
    with contextlib.suppress(OSError):
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def error_response(error: RetroVueError) -> Response:
    """The one mapping of our errors to HTTP: status from STATUS_OF, the message as JSON."""
    status = next((code for kind, code in STATUS_OF if isinstance(error, kind)), 500)
    headers = {}
    if isinstance(error, RetryLaterError):
        headers["retry-after"] = str(error.retry_after_s)
    if isinstance(error, UnauthorizedError):
        headers["www-authenticate"] = "Bearer"
    return JSONResponse({"error": str(error)}, status_code=status, headers=headers)


def _handle_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RetroVueError)
    return error_response(error)


def _client_gone(request: Request, error: Exception) -> Response:
    # The client left (or was timed out) while its request body was read: nobody to answer.
    return Response(status_code=400)


async def read_json_object(request: Request, limit: int = DIRECTOR_BODY_BYTES) -> dict[str, object]:
    """The request body as a JSON object; ValidationError for anything else, however odd."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ValidationError(f"body is larger than {limit} bytes")
    try:
        value = json.loads(body)
    except RecursionError:
        raise ValidationError("body is nested too deeply") from None
    except ValueError as error:
        raise ValidationError(f"body is not JSON: {error}") from error
    if not isinstance(value, dict):
        raise ValidationError("body must be a JSON object")
    return value


def playout_routes(station: StationRuntime) -> list[BaseRoute]:
    """Routes of the playout layer: .ts, HLS, the director and health."""

    async def stream(request: Request) -> Response:
        number = request.path_params["number"]
        if request.method == "HEAD":
            await may_stream(station, number)
            return LiveHead(ChannelStream.media_type)
        return ChannelStream(await station.tune(number))

    async def playlist(request: Request) -> Response:
        number = request.path_params["number"]
        if request.method == "HEAD":
            await may_stream(station, number)
            return LiveHead("application/vnd.apple.mpegurl")
        manager = await station.tune(number)
        await manager.hls_touch()
        if not manager.hls.segments and not await manager.first_segment():
            raise RetryLaterError("channel is starting, retry")
        body = manager.hls.playlist(f"/iptv/channel/{number}/hls/{{sequence}}.ts")
        return PlainTextResponse(body, media_type="application/vnd.apple.mpegurl")

    async def segment(request: Request) -> Response:
        manager = await station.manager(request.path_params["number"])
        found = manager.segment(request.path_params["sequence"])
        if found is None:
            raise NotFoundError("segment", request.path_params["sequence"])
        if request.method != "HEAD":  # a HEAD holds no tuner
            await manager.hls_touch()
        return Response(found.data, media_type="video/mp2t")

    async def director(request: Request) -> Response:
        if request.method == "POST":
            if not station.admin_token:
                raise ForbiddenError("control API disabled: the station has no admin token")
            given = request.headers.get("authorization", "")
            expected = f"Bearer {station.admin_token}"
            if not hmac.compare_digest(given.encode(), expected.encode()):
                raise UnauthorizedError("bad or missing token")
            body = await read_json_object(request)
            message = body.get("message")
            if message is not None and len(str(message)) > DIRECTOR_MESSAGE_CHARS:
                raise ValidationError(
                    f"message is longer than {DIRECTOR_MESSAGE_CHARS} characters", "message"
                )
            station.deps.director.set_mode(
                str(body.get("mode")), None if message is None else str(message)
            )
        state = station.deps.director.state
        return JSONResponse({"mode": state.mode, "message": state.message})

    async def healthz(request: Request) -> Response:
        live = station.live_channels()
        viewers = station.viewer_counts()
        try:
            await asyncio.wait_for(asyncio.to_thread(station.schedule.ping), PING_TIMEOUT_S)
        except (RetroVueError, TimeoutError) as error:
            reason = str(error) or f"no answer within {PING_TIMEOUT_S:.0f} s"
            body = {
                "status": "degraded",
                "database": f"unreachable: {reason}",
                "live_channels": live,
                "viewers": viewers,
                "still_working": list(STILL_WORKING),
                "not_working": list(NOT_WORKING),
            }
            return JSONResponse(body, status_code=503, headers={"retry-after": "5"})
        body = {"status": "ok", "database": "ok", "live_channels": live, "viewers": viewers}
        return JSONResponse(body)

    return [
        Route("/iptv/channel/{number:int}.ts", stream, methods=["GET", "HEAD"]),
        Route("/iptv/channel/{number:int}.m3u8", playlist, methods=["GET", "HEAD"]),
        Route("/iptv/channel/{number:int}/hls/{sequence:int}.ts", segment, methods=["GET", "HEAD"]),
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
        middleware=[Middleware(LoadShedder, expensive=SCHEDULE_READS, refuse=error_response)],
        exception_handlers={RetroVueError: _handle_error, ClientDisconnect: _client_gone},
        lifespan=lifespan,
    )
    app.state.station = station
    return app
