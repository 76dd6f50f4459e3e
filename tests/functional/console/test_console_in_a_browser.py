"""The console driven as an operator drives it: Chromium, a real console, a real station."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from console_process import PASSWORD, Cli, Console
from playwright.sync_api import Browser, Page, expect
from station_process import Station

pytestmark = pytest.mark.slow


@pytest.fixture
def page(browser: Browser, console: Console) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=console.base)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def sign_in(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    page.get_by_label("Password or token").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Live")).to_be_visible()


def shoot(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_an_operator_adds_a_channel_withdraws_an_asset_and_switches_emergency_on_and_off(
    page: Page, cli: Cli, live_station: Station, shots: Path
) -> None:
    sign_in(page)
    shoot(page, shots, "live")

    page.get_by_role("link", name="Channels").click()
    page.get_by_role("link", name="Add a channel").click()
    page.get_by_label("Number").fill("2")
    page.get_by_label("Name", exact=True).fill("Taken")
    page.get_by_role("button", name="Add channel").click()
    expect(page.get_by_role("alert")).to_have_text("channel number 2 is already taken")
    page.get_by_label("Number").fill("7")
    page.get_by_label("Name", exact=True).fill("Seven")
    page.get_by_label("Timezone").fill("Europe/Berlin")
    page.get_by_label("Grid size").select_option("60")
    page.get_by_role("button", name="Add channel").click()
    expect(page.get_by_role("status")).to_have_text("channel 7 'Seven' added")
    shoot(page, shots, "channels")
    seven = next(c for c in cli.json("channel", "list") if c["number"] == 7)  # type: ignore[union-attr]
    assert (seven["name"], seven["timezone"], seven["grid_size"]) == ("Seven", "Europe/Berlin", 60)

    page.get_by_role("link", name="Catalog").click()
    first = page.locator("tbody tr").first
    asset_id = int(first.get_attribute("data-asset") or 0)
    first.get_by_role("link", name="Withdraw").click()
    title = cli.json("catalog", "show", str(asset_id))["title"]  # type: ignore[index]
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    page.get_by_role("button", name=f"Withdraw “{title}”").click()
    expect(page.get_by_role("status")).to_have_text(
        f"asset {asset_id} {title!r} withdrawn from air"
    )
    assert cli.json("catalog", "show", str(asset_id))["canonical"] is False  # type: ignore[index]

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
    expect(page.get_by_role("status").first).to_have_text("director mode emergency")
    director = httpx.get(f"{live_station.base}/api/director").json()
    assert director == {"mode": "emergency", "message": "Severe weather: stay tuned"}
    shoot(page, shots, "live-emergency")
    page.get_by_label("Mode").select_option("normal")
    page.get_by_role("button", name="Switch director mode").click()
    expect(page.get_by_role("status").first).to_have_text("director mode normal")
    assert httpx.get(f"{live_station.base}/api/director").json()["mode"] == "normal"
