"""The XMLTV cache: one render per playlog state and period, gzip when the client asks."""

from __future__ import annotations

import datetime as dt

from client_fakes import AppClient
from starlette.applications import Starlette

from retrovue.runtime.clients.xmltv import GuideCache, xmltv_routes


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2025, 3, 3, 18, 10, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def _guide(token: list[int], clock: Clock) -> GuideCache:
    def render(start: dt.datetime, end: dt.datetime, *, base_url: str | None = None) -> bytes:
        return f"<tv start='{start:%H:%M}' token='{token[0]}' base='{base_url}'/>".encode() * 50

    return GuideCache(render, lambda: token[0], clock)


def test_the_guide_is_rendered_once_until_the_playlog_changes() -> None:
    token, clock = [1], Clock()
    guide = _guide(token, clock)
    first = guide.get()
    assert guide.get() is first and guide.renders == 1
    token[0] = 2
    assert b"token='2'" in guide.get().xml and guide.renders == 2


def test_the_guide_is_rebuilt_when_the_clock_enters_a_new_period() -> None:
    token, clock = [1], Clock()
    guide = _guide(token, clock)
    guide.get()
    clock.now += dt.timedelta(minutes=15)
    guide.get()
    assert guide.renders == 1
    clock.now += dt.timedelta(minutes=10)
    assert b"start='16:30'" in guide.get().xml and guide.renders == 2


def test_gzip_is_sent_only_to_clients_that_accept_it() -> None:
    client = AppClient(Starlette(routes=xmltv_routes(_guide([1], Clock()))))
    zipped = client.get("/iptv/xmltv.xml", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    plain = client.get("/iptv/xmltv.xml", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert zipped.content == plain.content  # httpx decodes the gzip body
    assert int(zipped.headers["content-length"]) < int(plain.headers["content-length"])
    refused = client.get("/iptv/xmltv.xml", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_an_unchanged_guide_answers_304_to_its_etag() -> None:
    client = AppClient(Starlette(routes=xmltv_routes(_guide([1], Clock()))))
    etag = client.get("/iptv/xmltv.xml").headers["etag"]
    assert client.get("/iptv/xmltv.xml", headers={"If-None-Match": etag}).status_code == 304


def test_each_base_url_gets_its_own_guide_and_all_are_dropped_when_the_playlog_moves() -> None:
    token, clock = [1], Clock()
    guide = _guide(token, clock)
    lan, local = guide.get("http://10.0.0.5:8420"), guide.get("http://127.0.0.1:8420")
    assert b"base='http://10.0.0.5:8420'" in lan.xml
    assert b"base='http://127.0.0.1:8420'" in local.xml
    assert guide.get("http://10.0.0.5:8420") is lan and guide.renders == 2
    token[0] = 2
    assert guide.get("http://10.0.0.5:8420") is not lan and guide.renders == 3


def test_the_route_renders_icons_under_the_base_the_request_reached() -> None:
    client = AppClient(Starlette(routes=xmltv_routes(_guide([1], Clock()))))
    assert b"base='http://station.test:8420'" in client.get("/iptv/xmltv.xml").content
