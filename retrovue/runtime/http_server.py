"""The station's HTTP server: uvicorn with the deadlines a server facing a network needs.

uvicorn bounds only the idle time between two requests (`timeout_keep_alive`). Nothing bounds
how long a client may take to send its request line and headers, or a body it announced, or
how long a response may sit unread: a slow or hostile client holds its socket (and, behind a
body, an application task) for as long as it likes. `GuardedH11Protocol` is uvicorn's h11
protocol with those three deadlines, watched by one timer per connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import signal
import socket
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any, Final, Literal

import h11
import uvicorn
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from retrovue.errors import ListenError
from retrovue.runtime.clients.context import WILDCARD_HOSTS, local_address_towards
from retrovue.runtime.settings import StationSettings
from retrovue.runtime.station_runtime import StationRuntime

REQUEST_HEAD_S: Final = 5.0  # a request line and headers must arrive within this
REQUEST_BODY_S: Final = 5.0  # and an announced body within this of the headers
WRITE_STALL_S: Final = 5.0  # a response the client has not read from for this long is dropped
KEEP_ALIVE_S: Final = 5  # idle time allowed between two requests on one connection
WATCH_EVERY_S: Final = 0.5
SEND_BUFFER_BYTES: Final = 128 * 1024
EXIT_CANNOT_LISTEN: Final = 3  # retrovue-station's exit status when it cannot bind its ports
STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)
TIMED_OUT: Final = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: 25\r\n\r\nthe request took too long"
)

Phase = Literal["head", "body", "app", "idle"]


class GuardedH11Protocol(H11Protocol):
    """One HTTP/1.1 connection, closed when its client is too slow at any step.

    `head`: waiting for a request line and headers (from the connection, or from the first
    byte after a keep-alive pause); `body`: for the body the headers announced; `app`: the
    application has the request; `idle`: between requests (uvicorn's keep-alive timer).
    A response the client stops reading is dropped after WRITE_STALL_S, and one the
    application gave up on mid-way (a viewer the fan-out dropped) at once: its socket is
    aborted, not left to drain into a client that will never read it.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._phase: Phase = "head"
        self._since = self.loop.time()
        self._heard = False  # some of the request has arrived
        self._stalled_since: float | None = None
        self._watch: asyncio.TimerHandle | None = self.loop.call_later(WATCH_EVERY_S, self._check)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._phase == "idle":
            self._enter("head")
        self._heard = True
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is h11.IDLE:
            self._enter("idle")
            self._heard = False
        self._follow()

    def _enter(self, phase: Phase) -> None:
        self._phase = phase
        self._since = self.loop.time()

    def _follow(self) -> None:
        """Move on as h11 moves: headers done, then the body done."""
        state = self.conn.their_state
        if self._phase == "head" and state not in (h11.IDLE, h11.ERROR):
            self._enter("body" if state is h11.SEND_BODY else "app")
        elif self._phase == "body" and state is not h11.SEND_BODY:
            self._enter("app")

    def _check(self) -> None:
        self._watch = None
        transport = self.transport
        if transport.is_closing() and self.cycle is not None and not self.cycle.response_complete:
            transport.abort()  # nothing more will be written to finish this response
            return
        now = self.loop.time()
        waited = now - self._since
        if (self._phase == "head" and waited > REQUEST_HEAD_S) or (
            self._phase == "body" and waited > REQUEST_BODY_S
        ):
            self._time_out()
            return
        stalled = self.flow.write_paused or (
            transport.is_closing() and transport.get_write_buffer_size() > 0
        )
        if not stalled:
            self._stalled_since = None
        elif self._stalled_since is None:
            self._stalled_since = now
        elif now - self._stalled_since > WRITE_STALL_S:
            transport.abort()
            return
        self._watch = self.loop.call_later(WATCH_EVERY_S, self._check)

    def _time_out(self) -> None:
        """A 408 when the client had begun (and no response has started), then close."""
        started = self.cycle is not None and self.cycle.response_started
        if self._heard and not started and self._phase in ("head", "body"):
            self.transport.write(TIMED_OUT)
        if self.cycle is not None:
            self.cycle.disconnected = True  # the application's receive() sees a disconnect
            self.cycle.message_event.set()
        self.transport.close()
        self._watch = self.loop.call_later(WATCH_EVERY_S, self._check)


def bind_listener(host: str, port: int, purpose: str) -> socket.socket:
    """A listening TCP socket on `host`:`port`, or a ListenError saying why in one line."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise ListenError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Linux lets a connection's send buffer autotune to megabytes, tens of seconds of a
        # channel, so a client that stops reading would never look behind to the fan-out.
        # A modest buffer (inherited by accepted sockets) makes it fall behind, and be
        # dropped, within seconds.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
        listener.bind(address)
    except OSError as error:
        listener.close()
        raise ListenError(_why(error, host, port, purpose)) from None
    listener.set_inheritable(False)
    return listener


def _why(error: OSError, host: str, port: int, purpose: str) -> str:
    where = f"cannot listen on {host}:{port} for {purpose}"
    if error.errno == errno.EADDRINUSE:
        return f"{where}: the port is taken (another station or program has it)"
    if error.errno == errno.EACCES and port < 1024:
        return (
            f"{where}: ports below 1024 need root or the CAP_NET_BIND_SERVICE capability "
            "(setcap cap_net_bind_service=+ep on the Python that runs the station)"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return f"{where}: no interface of this machine has that address"
    return f"{where}: {error.strerror or error}"


def bind_listeners(settings: StationSettings) -> list[socket.socket]:
    """The station's port, and the HDHomeRun port when one is set; all or none."""
    found = [bind_listener(settings.host, settings.port, "the station")]
    if settings.hdhr_port is not None:
        try:
            found.append(
                bind_listener(settings.host, settings.hdhr_port, "the HDHomeRun endpoints")
            )
        except ListenError:
            found[0].close()
            raise
    return found


HDHOMERUN_PATHS: Final = frozenset(
    {"/discover.json", "/lineup.json", "/lineup_status.json", "/lineup.post", "/device.xml"}
)


class HdhomerunPort:
    """The app as the HDHomeRun port (`--hdhr-port`) shows it: the tuner's documents only.

    Clients that find a tuner by discovery fetch its documents from port 80 whatever they are
    told; every link in those documents points to the station's own port, so they are written
    as if fetched from there.
    """

    def __init__(self, app: ASGIApp, hdhr_port: int, station_port: int) -> None:
        self._app = app
        self._hdhr_port = hdhr_port
        self._station_port = station_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        server = scope.get("server")
        if scope["type"] != "http" or server is None or server[1] != self._hdhr_port:
            await self._app(scope, receive, send)
            return
        if scope["path"] not in HDHOMERUN_PATHS:
            refusal = PlainTextResponse(
                f"only the HDHomeRun documents are served on port {self._hdhr_port}", 404
            )
            await refusal(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
        given = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        host = without_port(given) or server[0]
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        moved = f"{host}:{self._station_port}".encode("latin-1")
        scope = {
            **scope,
            "server": (server[0], self._station_port),
            "headers": [*headers, (b"host", moved)],
        }
        await self._app(scope, receive, send)


def without_port(host: str) -> str:
    """`host` of a Host header value `host[:port]` (an IPv6 literal keeps its brackets)."""
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def server_config(app: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http=GuardedH11Protocol,
        log_level="warning",
        timeout_keep_alive=KEEP_ALIVE_S,
        timeout_graceful_shutdown=3,
    )


class StationServer(uvicorn.Server):
    """Uvicorn that ends every viewer's stream as soon as a stop signal arrives.

    SIGTERM and SIGINT are the normal way to stop a station, so they end `serve()` like any
    clean exit; uvicorn's own habit of re-raising the signal afterwards would kill the process
    (status -15) before the as-run log and the producers are dealt with.
    """

    def __init__(self, config: uvicorn.Config, runtime: StationRuntime, banner: str) -> None:
        super().__init__(config)
        self._runtime = runtime
        self._banner = banner
        self._loop: asyncio.AbstractEventLoop | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        # A signal handler may run between any two bytecodes of the loop's thread, mid-publish
        # included: the viewers are dropped by the loop itself, between its callbacks.
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._runtime.drop_viewers)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().startup(sockets)
        if self.started:
            print(self._banner, flush=True)


def ready_banner(settings: StationSettings) -> str:
    """The lines printed once the station listens: where each kind of client goes."""
    if settings.public_url:
        base = settings.public_url.rstrip("/")
    else:
        host = settings.host
        if host in WILDCARD_HOSTS:
            host = local_address_towards("192.0.2.1")  # the LAN address, if there is one
        base = f"http://{f'[{host}]' if ':' in host else host}:{settings.port}"
    tuner = f"{base}  (HDHomeRun, {settings.tuner_count} tuners)"
    if settings.hdhr_port is not None:
        tuner += f"; HDHomeRun documents also on port {settings.hdhr_port}"
    return "\n".join(
        [
            "RetroVue station ready. Open:",
            f"  Browser (TV guide):        {base}/",
            f"  VLC / mpv / Kodi (M3U):    {base}/iptv/channels.m3u",
            f"  Guide data (XMLTV):        {base}/iptv/xmltv.xml",
            f"  Plex / Jellyfin tuner:     {tuner}",
            "Ctrl-C stops the station.",
        ]
    )
