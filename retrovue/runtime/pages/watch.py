"""The watch page at `/watch/{number}`: the channel in a <video>, fragmented MP4 first."""

from __future__ import annotations

from html import escape

from retrovue.runtime.pages.layout import page
from retrovue.schedule_manager.airing import ChannelInfo, ScheduledItem


def mp4_url(number: int) -> str:
    return f"/iptv/channel/{number}.mp4"


def hls_url(number: int) -> str:
    return f"/iptv/channel/{number}.m3u8"


def render_watch(
    channel: ChannelInfo, on_now: ScheduledItem | None, others: list[ChannelInfo], base: str
) -> str:
    """Chrome and Firefox play the MP4 rendition; Safari may take HLS from the second source."""
    number = channel.number
    title = on_now.title if on_now is not None and on_now.title else "Station break"
    switcher = " ".join(
        f'<a href="/watch/{c.number}">{c.number} {escape(c.name)}</a>'
        for c in others
        if c.number != number
    )
    content = (
        f'<video id="tv" controls autoplay muted playsinline preload="none">'
        f'<source src="{mp4_url(number)}" type="video/mp4">'
        f'<source src="{hls_url(number)}" type="application/vnd.apple.mpegurl">'
        "Your browser cannot play this stream: open the M3U in VLC instead.</video>"
        f'<p class="meta">Now on {number} {escape(channel.name)}: <b>{escape(title)}</b>. '
        "Muted so it can start by itself; unmute with the controls.</p>"
        f'<p class="meta">In VLC or mpv: <code>{escape(base)}/iptv/channel/{number}.ts</code> '
        f"or <code>{escape(base)}{hls_url(number)}</code></p>"
        f'<p class="meta">Other channels: {switcher or "none"}</p>'
    )
    return page(f"{number} {channel.name} - RetroVue", f"Channel {number}", content)
