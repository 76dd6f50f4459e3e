"""The guide at /iptv/xmltv.xml: the schedule manager's XMLTV, cached until the playlog moves."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Final, Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

GUIDE_PAST: Final = dt.timedelta(hours=2)
GUIDE_AHEAD: Final = dt.timedelta(days=8)
# Even with no playlog change, programmes that ended long ago should leave the guide.
REFRESH_EVERY: Final = dt.timedelta(minutes=30)

# Guides kept at once, one per base URL clients reach the station by (localhost, LAN, ...).
MAX_BASES: Final = 4


class Renderer(Protocol):
    """The schedule manager's XMLTV for [start, end), channel icons served from `base_url`."""

    def __call__(
        self, start: dt.datetime, end: dt.datetime, *, base_url: str | None = None
    ) -> bytes: ...


@dataclass(frozen=True)
class RenderedGuide:
    key: Hashable
    xml: bytes
    gzipped: bytes
    etag: str


class GuideCache:
    """Renders the XMLTV document once per playlog state (and per refresh period) and base URL.

    `token` is cheap (a few indexed lookups); the render runs only when it, or the refresh
    period the clock is in, changes. One lock keeps concurrent requests to one render.
    """

    def __init__(
        self,
        render: Renderer,
        token: Callable[[], Hashable],
        clock: Callable[[], dt.datetime],
        *,
        past: dt.timedelta = GUIDE_PAST,
        ahead: dt.timedelta = GUIDE_AHEAD,
    ) -> None:
        self._render = render
        self._token = token
        self._clock = clock
        self._past = past
        self._ahead = ahead
        self._lock = threading.Lock()
        self._current: dict[str | None, RenderedGuide] = {}
        self.renders = 0

    def _period_start(self, now: dt.datetime) -> dt.datetime:
        epoch = now.astimezone(dt.UTC).timestamp()
        step = REFRESH_EVERY.total_seconds()
        return dt.datetime.fromtimestamp(epoch - epoch % step, dt.UTC)

    def get(self, base_url: str | None = None) -> RenderedGuide:
        period = self._period_start(self._clock())
        key = (self._token(), period)
        with self._lock:
            current = self._current.get(base_url)
            if current is not None and current.key == key:
                return current
            xml = self._render(period - self._past, period + self._ahead, base_url=base_url)
            self.renders += 1
            fresh = RenderedGuide(
                key=key,
                xml=xml,
                gzipped=gzip.compress(xml, compresslevel=6, mtime=0),
                etag=f'"{hashlib.sha1(xml, usedforsecurity=False).hexdigest()[:20]}"',
            )
            # Guides of an older key are stale for every base; drop them, then the oldest base.
            stale = [b for b, g in self._current.items() if g.key != key]
            for base in stale:
                del self._current[base]
            self._current[base_url] = fresh
            if len(self._current) > MAX_BASES:
                del self._current[next(iter(self._current))]
            return fresh


def accepts_gzip(request: Request) -> bool:
    """Whether Accept-Encoding allows gzip (a q=0 refusal counts as no)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def request_base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def xmltv_routes(
    guide: GuideCache, base: Callable[[Request], str] = request_base
) -> list[BaseRoute]:
    """`/iptv/xmltv.xml`; `base` is the station's URL as the request reached it, the one the
    M3U links logos under (pass `ClientConfig.request_base` so a public URL is honoured)."""

    def endpoint(request: Request) -> Response:
        rendered = guide.get(base(request))
        headers = {"ETag": rendered.etag, "Vary": "Accept-Encoding", "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == rendered.etag:
            return Response(status_code=304, headers=headers)
        if accepts_gzip(request):
            headers["Content-Encoding"] = "gzip"
            return Response(rendered.gzipped, media_type="application/xml", headers=headers)
        return Response(rendered.xml, media_type="application/xml", headers=headers)

    return [Route("/iptv/xmltv.xml", endpoint, methods=["GET"])]
