"""The M3U playlist, read back by a real parser (m3u-ipytv)."""

from __future__ import annotations

from pathlib import Path

from client_fakes import DEVICE_ID, NOW, AppClient, FakeSchedule, station_app
from ipytv import playlist

from retrovue.runtime.clients import ClientConfig, ClientContext
from retrovue.runtime.clients.m3u import attribute, m3u_routes, render_playlist
from retrovue.schedule_manager.airing import ChannelInfo


def test_the_playlist_parses_with_every_attribute_present(client: AppClient) -> None:
    response = client.get("/iptv/channels.m3u")
    assert response.status_code == 200
    parsed = playlist.loads(response.text)
    assert parsed.get_attribute("url-tvg") == "http://station.test:8420/iptv/xmltv.xml"
    assert parsed.length() == 2
    for channel in parsed.get_channels():
        for key in ("tvg-id", "tvg-chno", "tvg-name", "tvg-logo", "group-title"):
            assert key in channel.attributes, key
        assert channel.url.startswith("http://station.test:8420/iptv/channel/")


def test_commas_and_quotes_in_a_name_survive_in_the_display_name(client: AppClient) -> None:
    parsed = playlist.loads(client.get("/iptv/channels.m3u").text)
    first = parsed.get_channel(0)
    assert first.name == 'Retro "Two", East'
    assert first.attributes["tvg-name"] == "Retro 'Two', East"
    assert first.attributes["tvg-id"] == "2.retrovue"
    assert first.attributes["tvg-chno"] == "2"
    assert first.attributes["group-title"] == "Classics"
    assert first.url == "http://station.test:8420/iptv/channel/2.ts"


def test_remote_logos_are_linked_and_channels_without_a_group_get_the_station_group(
    client: AppClient,
) -> None:
    second = playlist.loads(client.get("/iptv/channels.m3u").text).get_channel(1)
    assert second.attributes["tvg-logo"] == "http://logo.example/3.png"
    assert second.attributes["group-title"] == "RetroVue"


def test_a_local_logo_is_linked_and_served_by_the_station(tmp_path: Path) -> None:
    logo = tmp_path / "five.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    schedule = FakeSchedule(
        channels=[ChannelInfo(5, "Five", "UTC", None, str(logo), True, "5.retrovue")]
    )
    client = _client(ClientContext(schedule, ClientConfig(device_id=DEVICE_ID), lambda: NOW))
    text = client.get("/iptv/channels.m3u").text
    assert 'tvg-logo="http://station.test:8420/iptv/logo/5"' in text
    served = client.get("/iptv/logo/5")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert client.get("/iptv/logo/6").status_code == 404


def test_newlines_cannot_split_an_entry() -> None:
    assert attribute('a"b\nc\r') == "a'b c "
    channel = ChannelInfo(7, "Line\nBreak", "UTC", None, None, True, "7.retrovue")
    lines = render_playlist([channel], "http://h:1").splitlines()
    assert [line.split(":")[0] for line in lines] == [
        '#EXTM3U url-tvg="http',
        "#EXTINF",
        "#KODIPROP",
        "#KODIPROP",
        "http",
    ]
    assert lines[1].endswith(",Line Break")


def test_every_entry_tells_kodi_its_stream_is_live_mpeg_ts_so_it_plays_without_probing(
    client: AppClient,
) -> None:
    parsed = playlist.loads(client.get("/iptv/channels.m3u").text)
    for channel in parsed.get_channels():
        assert "#KODIPROP:mimetype=video/mp2t" in channel.extras
        assert "#KODIPROP:inputstream.ffmpegdirect.is_realtime_stream=true" in channel.extras


def test_a_configured_public_url_replaces_the_request_host(schedule: FakeSchedule) -> None:
    config = ClientConfig(device_id=DEVICE_ID, public_url="https://tv.example.org/")
    client = _client(ClientContext(schedule, config, lambda: NOW))
    parsed = playlist.loads(client.get("/iptv/channels.m3u").text)
    assert parsed.get_attribute("url-tvg") == "https://tv.example.org/iptv/xmltv.xml"
    assert parsed.get_channel(0).url == "https://tv.example.org/iptv/channel/2.ts"


def _client(context: ClientContext) -> AppClient:
    return AppClient(station_app(m3u_routes(context)))


def test_the_logo_route_serves_only_regular_image_files(tmp_path: Path) -> None:
    secret = tmp_path / "station.db"
    secret.write_bytes(b"SQLite format 3\0")
    disguised = tmp_path / "innocent.png"
    disguised.symlink_to(secret)
    folder = tmp_path / "folder.png"
    folder.mkdir()
    logos = [str(secret), str(disguised), str(folder), str(tmp_path / "missing.png")]
    schedule = FakeSchedule(
        channels=[
            ChannelInfo(n, f"C{n}", "UTC", None, logo, True, f"{n}.retrovue")
            for n, logo in enumerate(logos, start=10)
        ]
    )
    client = _client(ClientContext(schedule, ClientConfig(device_id=DEVICE_ID), lambda: NOW))
    for number in range(10, 10 + len(logos)):
        response = client.get(f"/iptv/logo/{number}")
        assert response.status_code == 404, logos[number - 10]
        assert b"SQLite" not in response.content
