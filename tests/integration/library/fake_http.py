"""The HTTP side of the fake media servers: real sockets on loopback, a request log, faults.

Each fake answers from its own routes; this part logs every request (path and query), checks
the credential the server would check, and on demand, from the n-th request on, stalls past
any client timeout, answers 500, or sends a body the server's schema would never produce.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import parse_qs, urlsplit

Fault = Literal["stall", "malformed", "server error"]


@dataclass(frozen=True)
class Seen:
    path: str
    params: dict[str, str]


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str


Route = Callable[[str, dict[str, str]], Answer]
Check = Callable[[BaseHTTPRequestHandler, dict[str, str]], bool]


class FakeHttpServer:
    """Serves `route` to requests that pass `authorised`; `malformed` is the bad body to send."""

    def __init__(self, route: Route, authorised: Check, malformed: bytes) -> None:
        self.requests: list[Seen] = []
        self._serve, self._check, self._malformed = route, authorised, malformed
        # Called with each request's index once it is answered: a library changing mid-sync.
        self.after_request: Callable[[int], None] | None = None
        self._fault: Fault | None = None
        self._fault_from = 0
        self._release = threading.Event()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def fail(self, fault: Fault, after: int = 0) -> None:
        """Answer with `fault` from the request after the next `after` on."""
        with self._lock:
            self._fault, self._fault_from = fault, len(self.requests) + after

    def heal(self) -> None:
        with self._lock:
            self._fault = None

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        # Plex reads paging from headers as well as from the query.
        for name in ("X-Plex-Container-Start", "X-Plex-Container-Size"):
            if handler.headers.get(name) is not None:
                params.setdefault(name, handler.headers[name])
        with self._lock:
            index = len(self.requests)
            self.requests.append(Seen(url.path, params))
            fault = self._fault if self._fault is not None and index >= self._fault_from else None
        if not self._check(handler, params):
            answer = Answer(
                401, b"<html><head><title>Unauthorized</title></head></html>", "text/html"
            )
        elif fault == "stall":
            self._release.wait(30)
            return
        elif fault == "server error":
            answer = Answer(500, b"Internal Server Error", "text/plain")
        elif fault == "malformed":
            answer = Answer(200, self._malformed, "application/json")
        else:
            answer = self._serve(url.path, params)
        handler.send_response(answer.status)  # adds the Date header: the server's clock
        handler.send_header("Content-Type", answer.content_type)
        handler.send_header("Content-Length", str(len(answer.body)))
        handler.end_headers()
        handler.wfile.write(answer.body)
        if self.after_request is not None:
            self.after_request(index)
