"""The station's JSON API: channels, what is on now, and a channel's schedule over a window."""

from __future__ import annotations

import collections
import datetime as dt
import re
import threading
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from retrovue.errors import ValidationError
from retrovue.runtime.clients.context import ClientContext
from retrovue.runtime.clients.hdhomerun import stream_url
from retrovue.runtime.clients.m3u import logo_url
from retrovue.runtime.clients.window_cache import WindowCache
from retrovue.schedule_manager.airing import ChannelInfo, ScheduledItem

DEFAULT_WINDOW: Final = dt.timedelta(hours=6)
MAX_WINDOW: Final = dt.timedelta(days=3)
NEXT_LOOKAHEAD: Final = dt.timedelta(hours=6)
RENDERED_WINDOWS: Final = 64
EARLIEST: Final = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST: Final = dt.datetime(3000, 1, 1, tzinfo=dt.UTC)
# A query string decodes "+" to a space, so "...T10:00:00+01:00" arrives as "...T10:00:00 01:00".
_SPACED_OFFSET: Final = re.compile(r" (\d{2}:?\d{2})$")


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def channel_json(base: str, channel: ChannelInfo) -> dict[str, object]:
    return {
        "number": channel.number,
        "name": channel.name,
        "kind": channel.kind,
        "xmltv_id": channel.xmltv_id,
        "group": channel.group,
        "timezone": channel.timezone,
        "logo": logo_url(base, channel) or None,
        "stream_url": stream_url(base, channel.number),
        "hls_url": f"{base}/iptv/channel/{channel.number}.m3u8",
    }


def item_json(item: ScheduledItem) -> dict[str, object]:
    return {
        "event_id": item.event_id,
        "kind": item.kind,
        "title": item.title,
        "start": _iso(item.start_utc),
        "end": _iso(item.end_utc),
        "duration_ms": item.duration_ms,
        "asset_id": item.asset_id,
        "in_point_ms": item.in_point_ms,
        "program_group": item.program_group,
        "broadcast_day": item.broadcast_day.isoformat(),
    }


def parse_instant(name: str, raw: str | None, default: dt.datetime) -> dt.datetime:
    """An ISO 8601 query parameter as a UTC instant; one without an offset is taken as UTC."""
    if raw is None or raw == "":
        return default
    text = _SPACED_OFFSET.sub(r"+\1", raw.strip())
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            f"{name}: {raw!r} is not an ISO 8601 date-time (e.g. 2024-05-01T18:00:00Z)", name
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    # Windows and index look-backs are computed around the instant: keep them representable.
    try:
        value = value.astimezone(dt.UTC)
        in_range = EARLIEST <= value <= LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise ValidationError(
            f"{name}: {raw!r} is out of range ({EARLIEST.year} to {LATEST.year - 1})", name
        )
    return value


def _number(request: Request) -> int:
    raw = request.path_params["number"]
    try:
        return int(raw)
    except ValueError:
        raise ValidationError(f"channel number must be an integer, not {raw!r}", "number") from None


def api_routes(ctx: ClientContext, windows: WindowCache | None = None) -> list[BaseRoute]:
    """`windows` serves schedule windows from memory (one is made when none is given)."""
    cache = windows or WindowCache(ctx.schedule)
    # Rendered windows, for clients that ask for the same one (a guide refreshing, many
    # viewers of one channel): kept for the generation of the blocks they were built from.
    rendered: collections.OrderedDict[tuple[object, ...], tuple[int, bytes]] = (
        collections.OrderedDict()
    )
    rendered_lock = threading.Lock()

    def channels(request: Request) -> Response:
        base = ctx.config.request_base(request)
        listed = sorted(ctx.schedule.list_channels(active_only=True), key=lambda c: c.number)
        return JSONResponse({"channels": [channel_json(base, c) for c in listed]})

    def now(request: Request) -> Response:
        channel = ctx.channel(_number(request))
        return JSONResponse(now_body(channel, ctx.clock(), ctx.config.request_base(request)))

    def now_all(request: Request) -> Response:
        """Every active channel's now and next in one answer (a console's live page)."""
        at, base = ctx.clock(), ctx.config.request_base(request)
        listed = sorted(ctx.schedule.list_channels(active_only=True), key=lambda c: c.number)
        return JSONResponse({"at": _iso(at), "channels": [now_body(c, at, base) for c in listed]})

    def now_body(channel: ChannelInfo, at: dt.datetime, base: str) -> dict[str, object]:
        airing = ctx.schedule.what_is_airing(channel.number, at)
        body: dict[str, object] = {
            "channel": channel_json(base, channel),
            "at": _iso(at),
            "item": None,
            "offset_ms": None,
            "remaining_ms": None,
            "next": None,
        }
        # What follows: after the item on air, or (nothing on air) the next item to start.
        end = at if airing is None else airing.item.end_utc
        upcoming = cache.items(channel.number, end, end + NEXT_LOOKAHEAD)
        following = next((i for i in upcoming if i.start_utc >= end), None)
        if following is not None:
            body["next"] = item_json(following)
        if airing is not None:
            body |= {
                "item": item_json(airing.item),
                "offset_ms": airing.offset_ms,
                "remaining_ms": airing.remaining_ms,
            }
        return body

    def schedule(request: Request) -> Response:
        channel = ctx.channel(_number(request))
        start = parse_instant("from", request.query_params.get("from"), ctx.clock())
        end = parse_instant("to", request.query_params.get("to"), start + DEFAULT_WINDOW)
        if end <= start:
            raise ValidationError("to must be later than from", "to")
        if end - start > MAX_WINDOW:
            raise ValidationError(f"from and to may be at most {MAX_WINDOW.days} days apart", "to")
        base = ctx.config.request_base(request)
        key = (channel, base, start, end)
        generation = cache.current()
        with rendered_lock:
            kept = rendered.get(key)
        if kept is not None and kept[0] == generation:
            return Response(kept[1], media_type="application/json")
        items = cache.items(channel.number, start, end)
        answer = JSONResponse(
            {
                "channel": channel_json(base, channel),
                "from": _iso(start),
                "to": _iso(end),
                "items": [item_json(item) for item in items],
            }
        )
        with rendered_lock:
            rendered[key] = (generation, bytes(answer.body))
            while len(rendered) > RENDERED_WINDOWS:
                rendered.popitem(last=False)
        return answer

    return [
        Route("/api/channels", channels, methods=["GET"]),
        Route("/api/now", now_all, methods=["GET"]),
        Route("/api/channels/{number}/now", now, methods=["GET"]),
        Route("/api/channels/{number}/schedule", schedule, methods=["GET"]),
    ]
