"""The JSON API: channels, now-and-next, and schedule windows with clear 400s and 404s."""

from __future__ import annotations

import datetime as dt

from client_fakes import DEVICE_ID, NOW, AppClient, FakeSchedule, station_app

from retrovue.runtime.clients import ClientConfig, ClientContext
from retrovue.runtime.clients.api import api_routes
from retrovue.runtime.clients.window_cache import WindowCache
from retrovue.schedule_manager.airing import ScheduledItem


def test_channels_lists_active_channels_with_their_urls(client: AppClient) -> None:
    channels = client.get("/api/channels").json()["channels"]
    assert [c["number"] for c in channels] == [2, 3]
    assert channels[0]["stream_url"] == "http://station.test:8420/iptv/channel/2.ts"
    assert channels[0]["xmltv_id"] == "2.retrovue"


def test_now_gives_the_item_its_offset_and_the_next_item(client: AppClient) -> None:
    body = client.get("/api/channels/2/now").json()
    assert body["item"]["title"] == "Show 0"
    assert body["offset_ms"] == 10 * 60 * 1000
    assert body["remaining_ms"] == 20 * 60 * 1000
    assert body["next"]["title"] == "Show 1"
    assert body["at"] == "2025-03-03T18:10:00Z"
    assert "file_path" not in body["item"]


def test_now_on_a_channel_with_nothing_scheduled_answers_with_nulls(client: AppClient) -> None:
    body = client.get("/api/channels/3/now").json()
    assert body["item"] is None and body["next"] is None


def test_now_for_every_channel_is_one_answer_agreeing_with_each_channels_own(
    client: AppClient,
) -> None:
    everything = client.get("/api/now").json()
    assert [entry["channel"]["number"] for entry in everything["channels"]] == [2, 3]
    for entry in everything["channels"]:
        one = client.get(f"/api/channels/{entry['channel']['number']}/now").json()
        assert entry == one


def test_unknown_and_inactive_channels_are_404_with_a_message(client: AppClient) -> None:
    for path in ("/api/channels/42/now", "/api/channels/9/schedule"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"error": f"channel {path.split('/')[3]} not found"}


def test_a_channel_number_that_is_not_a_number_is_400(client: AppClient) -> None:
    response = client.get("/api/channels/two/now")
    assert response.status_code == 400
    assert "integer" in response.json()["error"]


def test_schedule_returns_the_items_overlapping_the_window(client: AppClient) -> None:
    response = client.get(
        "/api/channels/2/schedule",
        params={"from": "2025-03-03T19:00:00Z", "to": "2025-03-03T20:00:00+00:00"},
    )
    assert response.status_code == 200
    assert [i["title"] for i in response.json()["items"]] == ["Show 2", "Show 3"]


def test_an_unencoded_plus_in_an_offset_still_parses(client: AppClient) -> None:
    url = "/api/channels/2/schedule?from=2025-03-03T20:00:00+01:00&to=2025-03-03T20:30:00+01:00"
    response = client.get(url)
    assert response.status_code == 200
    assert [i["title"] for i in response.json()["items"]] == ["Show 2"]


def test_schedule_defaults_to_six_hours_from_now(client: AppClient) -> None:
    body = client.get("/api/channels/2/schedule").json()
    assert (body["from"], body["to"]) == ("2025-03-03T18:10:00Z", "2025-03-04T00:10:00Z")


def test_bad_schedule_parameters_are_400_with_a_message_naming_them(client: AppClient) -> None:
    cases = {
        "from=yesterday": "from",
        "to=2025-13-01T00:00:00Z": "to",
        "from=2025-03-03T20:00:00Z&to=2025-03-03T19:00:00Z": "to",
        "from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z": "to",
    }
    for query, field in cases.items():
        response = client.get(f"/api/channels/2/schedule?{query}")
        assert response.status_code == 400, query
        assert field in response.json()["error"]
        assert "Traceback" not in response.text


def test_instants_at_the_ends_of_the_calendar_are_400_not_a_crash(client: AppClient) -> None:
    for query in (
        "from=9999-12-31T23:00:00Z",
        "from=0001-01-01",
        "from=0001-01-01T00:00:00%2B01:00",
        "from=2025-03-03T20:00:00Z&to=9999-12-31T23:59:59Z",
    ):
        response = client.get(f"/api/channels/2/schedule?{query}")
        assert response.status_code == 400, query
        assert "out of range" in response.json()["error"]


def test_schedule_windows_of_up_to_three_days_are_served_and_longer_ones_refused(
    client: AppClient,
) -> None:
    three_days = client.get(
        "/api/channels/2/schedule",
        params={"from": "2025-03-03T18:00:00Z", "to": "2025-03-06T18:00:00Z"},
    )
    assert three_days.status_code == 200
    assert len(three_days.json()["items"]) == 8
    longer = client.get(
        "/api/channels/2/schedule",
        params={"from": "2025-03-03T18:00:00Z", "to": "2025-03-06T18:00:01Z"},
    )
    assert longer.status_code == 400
    assert longer.json() == {"error": "from and to may be at most 3 days apart"}


def test_now_with_nothing_on_air_yet_names_the_first_item_to_come(
    schedule: FakeSchedule,
) -> None:
    early = NOW.replace(hour=17, minute=50)
    context = ClientContext(schedule, ClientConfig(device_id=DEVICE_ID), lambda: early)
    body = AppClient(station_app(api_routes(context))).get("/api/channels/2/now").json()
    assert body["item"] is None and body["remaining_ms"] is None
    assert body["next"]["title"] == "Show 0"
    assert body["next"]["start"] == "2025-03-03T18:00:00Z"


def test_a_window_asked_again_is_served_as_rendered_until_planning_moves_the_guide_token(
    schedule: FakeSchedule,
) -> None:
    reads: list[tuple[dt.datetime, dt.datetime]] = []
    plain = schedule.items_between

    def counted(number: int, start: dt.datetime, end: dt.datetime) -> list[ScheduledItem]:
        reads.append((start, end))
        return plain(number, start, end)

    schedule.items_between = counted  # type: ignore[method-assign]
    ticks = [0.0]
    windows = WindowCache(schedule, monotonic=lambda: ticks[0])
    context = ClientContext(schedule, ClientConfig(device_id=DEVICE_ID), lambda: NOW)
    client = AppClient(station_app(api_routes(context, windows)))
    query = {"from": "2025-03-03T18:00:00Z", "to": "2025-03-04T18:00:00Z"}
    first = client.get("/api/channels/2/schedule", params=query)
    read_once = len(reads)
    assert read_once == 4  # four six-hour blocks
    again = client.get("/api/channels/2/schedule", params=query)
    assert again.content == first.content and len(reads) == read_once
    schedule.token = (2, 2)  # planning changed the playlog
    ticks[0] += 2.0
    client.get("/api/channels/2/schedule", params=query)
    assert len(reads) == 2 * read_once
