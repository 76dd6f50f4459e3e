"""The watch page presents the channel as live and follows the schedule from the JSON API."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from retrovue.runtime.pages.watch import render_watch
from retrovue.schedule_manager.airing import ChannelInfo

CHANNEL = ChannelInfo(3, "Movies <3>", "UTC", None, None, True, "3.t")


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def parsed() -> Elements:
    elements = Elements()
    elements.feed(render_watch(CHANNEL, None, [CHANNEL], "http://tv:8420"))
    return elements


def test_the_player_has_no_seek_bar_and_carries_a_live_badge() -> None:
    elements = parsed()
    video = next(attrs for tag, attrs in elements.found if tag == "video")
    assert "controls" not in video  # no duration, no seek bar to nowhere
    assert {"autoplay", "muted", "playsinline"} <= set(video)
    badges = [a for t, a in elements.found if t == "span" and a.get("class") == "live"]
    assert len(badges) == 1
    buttons = {a["id"] for t, a in elements.found if t == "button"}
    assert buttons == {"sound", "full"}  # sound and full screen, the only controls a channel has


def test_the_caption_is_asked_of_the_json_api_again_after_each_item_ends() -> None:
    script = "".join(parsed().scripts)
    assert '"/api/channels/3/now"' in script
    assert "remaining_ms" in script and "setTimeout(follow" in script
    assert not re.search(r"https?://", script)  # nothing from elsewhere


def test_the_channel_name_is_escaped() -> None:
    page = render_watch(CHANNEL, None, [CHANNEL], "http://tv:8420")
    assert "Movies &lt;3&gt;" in page and "Movies <3>" not in page
