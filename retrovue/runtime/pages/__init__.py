"""The station's browser pages: the TV guide, the watch page and its MP4 rendition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from retrovue.runtime.clients.context import ClientContext
from retrovue.runtime.clients.window_cache import WindowCache
from retrovue.runtime.pages.favicon import favicon_ico
from retrovue.runtime.pages.guide import GUIDE_HOURS, GuideRow, programmes, render_guide
from retrovue.runtime.pages.guide import window_start as guide_start
from retrovue.runtime.pages.mp4 import Mp4Stream
from retrovue.runtime.pages.watch import render_watch
from retrovue.runtime.station_runtime import StationRuntime
from retrovue.runtime.web import LiveHead, may_stream
from retrovue.schedule_manager.airing import ScheduledItem

__all__ = ["page_routes"]


def _zone(name: str | None) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name or "UTC"


ItemsBetween = Callable[[int, dt.datetime, dt.datetime], list[ScheduledItem]]


def guide_items(
    items_between: ItemsBetween, number: int, start: dt.datetime, end: dt.datetime
) -> list[ScheduledItem]:
    """The window's items, reaching back to the start of the entry on air at its left edge,
    so a program whose breaks straddle the edge keeps its title."""
    items = items_between(number, start, end)
    if items:
        entry_start = dt.datetime.fromtimestamp(items[0].program_group, dt.UTC)
        if entry_start < items[0].start_utc:
            items = items_between(number, entry_start, end)
    return items


def page_routes(station: StationRuntime, ctx: ClientContext) -> list[BaseRoute]:
    """`/`, `/watch/{n}`, the favicon and `/iptv/channel/{n}.mp4` (which takes a tuner like a
    .ts viewer)."""
    windows = WindowCache(ctx.schedule, guide=True)

    def guide(request: Request) -> Response:
        now = ctx.clock()
        start = guide_start(now)
        end = start + dt.timedelta(hours=GUIDE_HOURS)
        channels = sorted(ctx.schedule.list_channels(active_only=True), key=lambda c: c.number)
        rows = [
            GuideRow(c, programmes(guide_items(windows.items, c.number, start, end)))
            for c in channels
        ]
        zone = _zone(channels[0].timezone if channels else None)
        return HTMLResponse(render_guide(rows, now, start, zone=zone))

    def watch(request: Request) -> Response:
        channel = ctx.channel(int(request.path_params["number"]))
        airing = ctx.schedule.what_is_airing(channel.number, ctx.clock())
        others = sorted(ctx.schedule.list_channels(active_only=True), key=lambda c: c.number)
        item = None if airing is None else airing.item
        base = ctx.config.request_base(request)
        return HTMLResponse(render_watch(channel, item, others, base))

    async def mp4(request: Request) -> Response:
        number = request.path_params["number"]
        if request.method == "HEAD":
            await may_stream(station, number)
            return LiveHead(Mp4Stream.media_type)
        return Mp4Stream(await station.tune(number))

    def favicon(request: Request) -> Response:
        headers = {"cache-control": "public, max-age=86400"}
        return Response(favicon_ico(), media_type="image/x-icon", headers=headers)

    return [
        Route("/", guide, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/watch/{number:int}", watch, methods=["GET"]),
        Route("/iptv/channel/{number:int}.mp4", mp4, methods=["GET", "HEAD"]),
    ]
