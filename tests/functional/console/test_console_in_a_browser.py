"""The console driven as an operator drives it: Chromium, a real console, a real station.

Each step is checked twice: on the page, and through `retrovue ... --json` on the same
database (or the station's own API for the director).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from console_process import PASSWORD, Cli, Console
from playwright.sync_api import Browser, Page, expect
from station_process import Station

from retrovue.ffmpeg import resolve_ffmpeg

pytestmark = pytest.mark.slow
TITLE = "Special Feature"


@pytest.fixture
def page(browser: Browser, console: Console) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=console.base)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="module")
def specials(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding one new 40-second programme, for a source the test adds."""
    folder = tmp_path_factory.mktemp("specials")
    subprocess.run(
        [resolve_ffmpeg(), "-loglevel", "error", "-f", "lavfi", "-i",
         "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=330",
         "-t", "40", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
         str(folder / f"{TITLE}.mp4")],
        check=True, timeout=120,
    )  # fmt: skip
    return folder


def sign_in(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    page.get_by_label("Password or token").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#password-error")).to_have_text("wrong password or token")
    page.get_by_label("Password or token").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Live")).to_be_visible()


def shoot(page: Page, shots: Path, name: str) -> None:
    """A full-page screenshot, and no page wider than its window (nothing overflows)."""
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} overflows the window by {overflow} px"


def flash(page: Page) -> Any:
    return expect(page.locator(".flash"))


def preview_assets(cli: Cli, channel: int, day: str) -> set[int]:
    rows = cli.json("schedule", "preview", "--channel", str(channel), "--day", day)
    return {r["asset_id"] for r in rows if r["asset_id"] is not None}  # type: ignore[union-attr]


def test_an_operator_runs_the_station_from_the_browser(
    page: Page, cli: Cli, live_station: Station, shots: Path, specials: Path
) -> None:
    sign_in(page)
    shoot(page, shots, "live")

    # A channel: the CLI's refusal shown at its field, then the channel added.
    page.get_by_role("link", name="Channels").click()
    page.get_by_role("link", name="Add a channel").click()
    page.get_by_label("Number").fill("2")
    page.get_by_label("Name", exact=True).fill("Taken")
    page.get_by_role("button", name="Add channel").click()
    expect(page.locator("#number-error")).to_have_text("channel number 2 is already taken")
    shoot(page, shots, "channel-form-error")
    page.get_by_label("Number").fill("7")
    page.get_by_label("Name", exact=True).fill("Seven")
    page.get_by_label("Timezone").fill("UTC")
    page.get_by_role("button", name="Add channel").click()
    flash(page).to_have_text("channel 7 'Seven' added")
    shoot(page, shots, "channels")
    seven = next(c for c in cli.json("channel", "list") if c["number"] == 7)  # type: ignore[union-attr]
    assert (seven["name"], seven["timezone"], seven["grid_size"]) == ("Seven", "UTC", 30)

    # A source, synced with its progress and summary, its item reviewed and promoted.
    page.get_by_role("link", name="Library").click()
    page.get_by_label("Name", exact=True).fill("specials")
    page.get_by_label("Path", exact=True).fill(str(specials))
    page.get_by_label("Tags", exact=True).fill("special")
    page.get_by_role("button", name="Add source").click()
    flash(page).to_have_text("source 'specials' added (filesystem)")
    page.get_by_role("button", name="Sync specials").click()
    expect(page.locator("#sync-summary")).to_have_text(
        "specials: 1 seen, 1 probed, 0 unchanged, 0 failed, 1 new, 0 updated, 0 gone, 0 back",
        timeout=60_000,
    )
    shoot(page, shots, "library-source")
    (item,) = cli.json("assets", "list", "--source", "specials")  # type: ignore[misc]
    page.get_by_role("link", name="Review its items").click()
    card = page.locator(f'article[data-item="{item["id"]}"]')
    poster = card.get_by_role("img")
    expect(poster).to_have_attribute("alt", re.compile(TITLE))
    assert poster.evaluate("img => img.complete && img.naturalWidth") == 320
    shoot(page, shots, "review")
    card.get_by_label("Notes").fill("clean transfer")
    card.get_by_role("button", name=f"Approve item {item['id']}").click()
    flash(page).to_have_text(f"library item {item['id']} approved")
    shown = cli.json("assets", "show", str(item["id"]))
    assert shown["state"] == "approved"  # type: ignore[index]
    assert shown["reviews"][-1]["notes"] == "clean transfer"  # type: ignore[index]
    page.goto("/library/review?status=approved&source=specials")
    page.get_by_role("link", name=TITLE).click()
    shoot(page, shots, "library-item")
    page.get_by_role("button", name=f"Promote item {item['id']}").click()
    flash(page).to_have_text("1 item(s) promoted, canonical")
    asset_id = int(page.url.rsplit("/", 1)[1])
    asset = cli.json("catalog", "show", str(asset_id))
    assert (asset["title"], asset["canonical"]) == (TITLE, True)  # type: ignore[index]
    assert asset["source_ingest_asset_id"] == item["id"]  # type: ignore[index]
    shoot(page, shots, "catalog-asset")

    # A template of two blocks; an overlapping third is refused at its Start field.
    page.get_by_role("link", name="Templates").click()
    page.get_by_label("Name", exact=True).fill("Specials day")
    page.get_by_role("button", name="Add template").click()
    flash(page).to_have_text("template 'Specials day' added")
    for start, end, tags in (("06:00", "18:00", "special"), ("18:00", "06:00", "sitcom")):
        page.get_by_label("Start").fill(start)
        page.get_by_label("End", exact=True).fill(end)
        page.get_by_label("Tags", exact=True).fill(tags)
        expect(page.locator("#rule-json")).to_contain_text(f'"{tags}"')
        page.get_by_role("button", name="Add block").click()
        flash(page).to_have_text(f"block {start}-{end} added to 'Specials day'")
    page.get_by_label("Start").fill("12:00")
    page.get_by_label("End", exact=True).fill("13:00")
    page.get_by_role("button", name="Add block").click()
    expect(page.locator("#start-error")).to_have_text(
        "block 12:00-13:00 overlaps block 06:00-18:00 of template 'Specials day'"
    )
    expect(page.locator("#strip .block")).to_have_count(3)  # 18:00-06:00 crosses midnight
    shoot(page, shots, "template-editor")
    blocks = cli.json("template", "show", "Specials day")["blocks"]  # type: ignore[index]
    assert [(b["start"], b["end"], b["rule"]["tags"]) for b in blocks] == [
        ("06:00", "18:00", ["special"]),
        ("18:00", "06:00", ["sitcom"]),
    ]

    # Assigned on the calendar: through the form for today, dropped onto tomorrow.
    page.get_by_role("link", name="Schedule").click()
    page.get_by_role("link", name="7 Seven").click()
    today = page.get_by_label("From").input_value()
    page.get_by_label("Template").select_option("Specials day")
    page.get_by_role("button", name="Assign template").click()
    flash(page).to_contain_text(f"template 'Specials day' assigned to channel 7 on 1 day ({today}")
    tomorrow = (dt.date.fromisoformat(today) + dt.timedelta(days=1)).isoformat()
    page.goto(f"/schedule/7?month={tomorrow[:7]}")
    page.drag_and_drop('.chip[data-template="Specials day"]', f'.day[data-day="{tomorrow}"]')
    flash(page).to_contain_text(f"on 1 day ({tomorrow} .. {tomorrow})")
    shoot(page, shots, "schedule-calendar")
    assigned = cli.json("schedule", "assignments", "--channel", "7")
    assert assigned == [
        {"day": today, "template": "Specials day"},
        {"day": tomorrow, "template": "Specials day"},
    ]

    # The preview grid airs the promoted item; a break opens on click.
    page.goto(f"/schedule/7?month={today[:7]}")
    page.locator(f'.day[data-day="{today}"] a.assigned').click()
    grid = page.locator("#preview")
    expect(grid.locator(f'tr[data-asset="{asset_id}"]').first).to_contain_text(TITLE)
    spots = grid.locator("tr.break details").first
    expect(spots.locator("li").first).to_be_hidden()
    spots.locator("summary").click()
    expect(spots.locator("li").first).to_be_visible()
    shoot(page, shots, "schedule-preview")
    assert asset_id in preview_assets(cli, 7, today)

    # Withdrawn, with a confirmation naming it: it leaves the preview.
    page.goto(f"/catalog/{asset_id}")
    page.get_by_role("link", name="Withdraw from air").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    shoot(page, shots, "catalog-withdraw")
    page.get_by_role("button", name=f"Withdraw “{TITLE}”").click()
    flash(page).to_have_text(f"asset {asset_id} {TITLE!r} withdrawn from air")
    assert cli.json("catalog", "show", str(asset_id))["canonical"] is False  # type: ignore[index]
    page.goto(f"/schedule/7/preview?day={today}")
    expect(page.locator("#preview tbody tr").first).to_be_visible()
    expect(page.locator(f'#preview tr[data-asset="{asset_id}"]')).to_have_count(0)
    assert asset_id not in preview_assets(cli, 7, today)

    # The director: emergency needs the message and the confirmation; then back to normal.
    page.get_by_role("link", name="Live").click()
    page.get_by_label("Mode").select_option("emergency")
    page.get_by_role("button", name="Switch director mode").click()
    expect(page.locator("#message-error")).to_have_text("emergency mode needs the message to show")
    page.get_by_label("Message", exact=True).fill("Severe weather: stay tuned")
    page.get_by_role("button", name="Switch director mode").click()
    expect(page.locator("#confirm-error")).to_contain_text("tick the box to confirm")
    assert httpx.get(f"{live_station.base}/api/director").json()["mode"] == "normal"
    page.get_by_label("Message", exact=True).fill("Severe weather: stay tuned")
    page.get_by_label("I confirm").check()
    page.get_by_role("button", name="Switch director mode").click()
    flash(page).to_have_text("director mode emergency")
    director = httpx.get(f"{live_station.base}/api/director").json()
    assert director == {"mode": "emergency", "message": "Severe weather: stay tuned"}
    shoot(page, shots, "live-emergency")
    page.get_by_label("Mode").select_option("normal")
    page.get_by_role("button", name="Switch director mode").click()
    flash(page).to_have_text("director mode normal")
    assert httpx.get(f"{live_station.base}/api/director").json()["mode"] == "normal"


PAGES = (
    "/channels", "/channels/new", "/channels/2", "/channels/2/remove", "/catalog",
    "/catalog?kind=commercial", "/catalog/1", "/catalog/1/withdraw", "/templates",
    "/templates/1", "/templates/1?block=06:00", "/templates/1/remove", "/schedule/2",
    "/schedule/2/preview", "/schedule/2/asrun", "/library", "/library/sources/1",
    "/library/sources/1/remove", "/library/review?status=", "/library/items/1",
)  # fmt: skip


def test_every_page_fits_a_laptop_and_a_phone_and_unknown_ids_are_404_pages(
    browser: Browser, console: Console, shots: Path
) -> None:
    for width, height, suffix in ((1280, 800, ""), (390, 844, "-phone")):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      base_url=console.base)  # fmt: skip
        tab = context.new_page()
        sign_in(tab)
        for path in PAGES:
            answer = tab.goto(path)
            assert answer is not None and answer.status == 200, path
            name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-")
            shoot(tab, shots, f"{name or 'home'}{suffix}")
        missing = tab.goto("/channels/999")
        assert missing is not None and missing.status == 404
        expect(tab.get_by_role("alert")).to_have_text("channel 999 not found")
        context.close()
