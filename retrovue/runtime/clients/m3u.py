"""The M3U playlist IPTV players (VLC, mpv, Kodi) open: one entry per active channel."""

from __future__ import annotations

import stat
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from retrovue.errors import NotFoundError
from retrovue.runtime.clients.context import ClientContext
from retrovue.runtime.clients.hdhomerun import stream_url
from retrovue.schedule_manager.airing import ChannelInfo

DEFAULT_GROUP = "RetroVue"
# Per-entry hints for Kodi's IPTV Simple: with the MIME type given it skips probing the URL
# (a HEAD, then a GET read to guess the type) before it plays, and a timeshifting
# inputstream is told the stream is live.
KODI_PROPERTIES = (
    "#KODIPROP:mimetype=video/mp2t",
    "#KODIPROP:inputstream.ffmpegdirect.is_realtime_stream=true",
)
LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


def _line(text: str) -> str:
    """One line's worth of text: a newline would end the entry early."""
    return " ".join(text.split("\n")).replace("\r", " ")


def attribute(value: str) -> str:
    """An attribute value: M3U has no escape for a double quote, so it becomes a single one.

    Players and parsers read `name="[^"]*"`; a literal `"` would end the value early and
    swallow the rest of the line. The display name after the comma keeps its quotes.
    """
    return _line(value).replace('"', "'")


def logo_url(base: str, channel: ChannelInfo) -> str:
    """Remote logos are linked as they are; a local file is served by the station."""
    if not channel.logo:
        return ""
    if channel.logo.startswith(("http://", "https://")):
        return channel.logo
    return f"{base}/iptv/logo/{channel.number}"


def logo_file(path: str) -> Path | None:
    """The image a `--logo` path names, resolved, or None: anything but a regular file with an
    image suffix (after following links) is refused, so the route never serves other files."""
    try:
        file = Path(path).expanduser().resolve(strict=True)
        regular = stat.S_ISREG(file.stat().st_mode)
    except (OSError, RuntimeError):
        return None
    return file if regular and file.suffix.lower() in LOGO_TYPES else None


def render_playlist(channels: list[ChannelInfo], base: str) -> str:
    lines = [f'#EXTM3U url-tvg="{attribute(base + "/iptv/xmltv.xml")}"']
    for channel in sorted(channels, key=lambda c: c.number):
        attributes = {
            "tvg-id": channel.xmltv_id,
            "tvg-chno": str(channel.number),
            "tvg-name": channel.name,
            "tvg-logo": logo_url(base, channel),
            "group-title": channel.group or DEFAULT_GROUP,
        }
        spelled = " ".join(f'{key}="{attribute(value)}"' for key, value in attributes.items())
        lines.append(f"#EXTINF:-1 {spelled},{_line(channel.name)}")
        lines.extend(KODI_PROPERTIES)
        lines.append(stream_url(base, channel.number))
    return "\n".join(lines) + "\n"


def m3u_routes(ctx: ClientContext) -> list[BaseRoute]:
    def playlist(request: Request) -> Response:
        channels = ctx.schedule.list_channels(active_only=True)
        body = render_playlist(channels, ctx.config.request_base(request))
        return Response(body, media_type="audio/x-mpegurl")

    def logo(request: Request) -> Response:
        channel = ctx.channel(int(request.path_params["number"]))
        path = channel.logo
        if not path or path.startswith(("http://", "https://")):
            raise NotFoundError("logo of channel", channel.number)
        file = logo_file(path)
        if file is None:
            raise NotFoundError("logo of channel", channel.number)
        return FileResponse(file, media_type=LOGO_TYPES[file.suffix.lower()])

    return [
        Route("/iptv/channels.m3u", playlist, methods=["GET"]),
        Route("/iptv/logo/{number:int}", logo, methods=["GET"]),
    ]
