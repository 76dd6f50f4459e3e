"""The watch page at `/watch/{number}`: the channel live in a <video>, fragmented MP4 first."""

from __future__ import annotations

from html import escape
from typing import Final

from retrovue.runtime.pages.layout import page
from retrovue.schedule_manager.airing import ChannelInfo, ScheduledItem

OFF_AIR: Final = "Station break"
# The caption follows the schedule: it asks the JSON API what is on, and asks again just
# after that item's end, or the next one's start when nothing is on (times from the
# station's clock, not the browser's), or when the station says to retry. The player has no
# controls: a live channel has nothing to seek to, so a seek bar and a duration would only
# mislead.
FOLLOW_SCRIPT: Final = """
(() => {
  const video = document.getElementById("tv");
  const now = document.getElementById("now");
  const next = document.getElementById("next");
  const sound = document.getElementById("sound");
  sound.onclick = () => {
    video.muted = !video.muted;
    sound.textContent = video.muted ? "Unmute" : "Mute";
  };
  document.getElementById("full").onclick = () => {
    if (video.requestFullscreen) video.requestFullscreen();
  };
  const title = (item) => (item && item.title) || "%(off_air)s";
  const clock = (iso) =>
    new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  async function follow() {
    let wait = 30000;
    try {
      const answer = await fetch("%(now_url)s", { cache: "no-store" });
      if (answer.ok) {
        const body = await answer.json();
        now.textContent = title(body.item);
        next.textContent = body.next ? "Next, at " + clock(body.next.start) + ": " +
          title(body.next) : "";
        if (body.remaining_ms !== null) wait = body.remaining_ms + 250;
        else if (body.next) wait = Date.parse(body.next.start) - Date.parse(body.at) + 250;
      } else {
        wait = 1000 * (Number(answer.headers.get("retry-after")) || 5);
      }
    } catch (error) {
      wait = 5000;
    }
    setTimeout(follow, Math.min(Math.max(wait, 500), 300000));
  }
  follow();
})();
"""


def mp4_url(number: int) -> str:
    return f"/iptv/channel/{number}.mp4"


def hls_url(number: int) -> str:
    return f"/iptv/channel/{number}.m3u8"


def now_url(number: int) -> str:
    return f"/api/channels/{number}/now"


def render_watch(
    channel: ChannelInfo, on_now: ScheduledItem | None, others: list[ChannelInfo], base: str
) -> str:
    """Chrome and Firefox play the MP4 rendition; Safari may take HLS from the second source."""
    number = channel.number
    title = on_now.title if on_now is not None and on_now.title else OFF_AIR
    switcher = " ".join(
        f'<a href="/watch/{c.number}">{c.number} {escape(c.name)}</a>'
        for c in others
        if c.number != number
    )
    script = FOLLOW_SCRIPT % {"now_url": now_url(number), "off_air": OFF_AIR}
    content = (
        '<div class="screen">'
        f'<video id="tv" autoplay muted playsinline preload="none">'
        f'<source src="{mp4_url(number)}" type="video/mp4">'
        f'<source src="{hls_url(number)}" type="application/vnd.apple.mpegurl">'
        "Your browser cannot play this stream: open the M3U in VLC instead.</video>"
        '<span class="live">LIVE</span></div>'
        '<p class="meta"><button id="sound" type="button">Unmute</button> '
        '<button id="full" type="button">Full screen</button></p>'
        f'<p class="meta">Now on {number} {escape(channel.name)}: <b id="now">{escape(title)}</b>'
        '. <span id="next"></span></p>'
        f'<p class="meta">In VLC or mpv: <code>{escape(base)}/iptv/channel/{number}.ts</code> '
        f"or <code>{escape(base)}{hls_url(number)}</code></p>"
        f'<p class="meta">Other channels: {switcher or "none"}</p>'
        f"<script>{script}</script>"
    )
    return page(f"{number} {channel.name} - RetroVue", f"Channel {number}", content)
