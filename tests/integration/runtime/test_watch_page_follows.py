"""The watch page's own script, run by a real JavaScript engine (node) against a running
station, moves its caption to each item as it starts."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import httpx
import pytest
from conftest import Clip, build_schedule, need_tool, start_station

ORDER = ["red", "green"]  # 4 s and 5 s: two boundaries within the run
RUN_S = 10.0
LATE_S = 1.0  # the caption moves at most this long after the item starts
# The page's elements, as the script uses them; each caption write is logged with its time.
PAGE_STUB = """
const base = process.argv[1];
const realFetch = globalThis.fetch;
globalThis.fetch = (url, options) => realFetch(base + url, options);
const element = (id) => ({
  set textContent(value) {
    console.log(JSON.stringify({ at: Date.now(), id, value }));
  },
  onclick: null,
});
globalThis.document = {
  getElementById: (id) => (id === "tv" ? { muted: true } : element(id)),
};
setTimeout(() => process.exit(0), Number(process.argv[2]));
"""


@pytest.mark.slow
def test_the_watch_page_caption_follows_the_schedule_across_boundaries(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    node = need_tool("node")
    start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=6)  # after the station is up
    schedule = build_schedule(f"sqlite:///{tmp_path / 'rv.db'}", clips, ORDER, start, 1)
    station = start_station(schedule.url, tmp_path / "data")
    try:
        page = httpx.get(f"{station.base}/watch/1", timeout=10).text
        script = re.search(r"<script>(.*)</script>", page, re.S)
        assert script is not None
        program = PAGE_STUB + script.group(1)
        ran = subprocess.run(
            [node, "-e", program, station.base, str(int(RUN_S * 1000))],
            capture_output=True, text=True, timeout=RUN_S + 30, check=True,
        )  # fmt: skip
    finally:
        station.stop()
    captions = [json.loads(line) for line in ran.stdout.splitlines()]
    seen: list[tuple[dt.datetime, str]] = []
    for entry in captions:
        if entry["id"] == "now" and (not seen or seen[-1][1] != entry["value"]):
            seen.append((dt.datetime.fromtimestamp(entry["at"] / 1000, dt.UTC), entry["value"]))
    titles = [title for _, title in seen]
    # The station may take long enough to start that red is on when the page first asks.
    assert titles[:3] in (["Station break", "red", "green"], ["red", "green", "red"]), seen
    for at, title in seen[1:]:  # each move came just after the boundary of its item
        assert any(
            name == title and 0 <= (at - begins).total_seconds() <= LATE_S
            for _, begins, _, name in schedule.events
        ), (title, at, schedule.events[:4])
    upcoming = [e["value"] for e in captions if e["id"] == "next" and e["value"]]
    assert any(value.endswith(": red") for value in upcoming), upcoming  # before it starts
    assert any(value.endswith(": green") for value in upcoming), upcoming
