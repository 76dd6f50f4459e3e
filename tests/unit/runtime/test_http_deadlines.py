"""The HTTP server's pieces: the HDHomeRun port's view of the app, and one-line bind errors."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from retrovue.errors import ListenError, ValidationError
from retrovue.runtime.http_server import HdhomerunPort, bind_listener, without_port
from retrovue.runtime.settings import StationSettings
from retrovue.runtime.station import build_parser


def settings(*argv: str) -> StationSettings:
    args = vars(build_parser().parse_args(["serve", *argv]))
    options = {k: v for k, v in args.items() if k not in ("command", "debug")}
    return StationSettings.from_env({"XDG_DATA_HOME": "/srv/xdg"}, **options)


def test_the_hdhomerun_port_is_off_unless_asked_for_and_must_differ_from_the_station_port() -> None:
    assert settings().hdhr_port is None
    assert settings("--hdhr-port", "80").hdhr_port == 80
    env = StationSettings.from_env({"RETROVUE_HDHR_PORT": "8080", "XDG_DATA_HOME": "/x"})
    assert env.hdhr_port == 8080
    with pytest.raises(ValidationError, match="station's own port"):
        settings("--port", "9000", "--hdhr-port", "9000")
    with pytest.raises(ValidationError, match="1-65535"):
        settings("--hdhr-port", "70000")


def echo_app() -> Starlette:
    def base(request: Request) -> JSONResponse:
        return JSONResponse({"base": str(request.base_url), "server": request.scope["server"]})

    return Starlette(routes=[Route(p, base) for p in ("/discover.json", "/iptv/channels.m3u")])


class PortApp:
    """Sets scope["server"] as a listener on `port` would, then calls the HDHomeRun gate."""

    def __init__(self, port: int) -> None:
        self.gate = HdhomerunPort(echo_app(), hdhr_port=80, station_port=8420)
        self.port = port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope = {**scope, "server": ("192.0.2.1", self.port)}
        await self.gate(scope, receive, send)


def get(port: int, path: str, host: str = "192.0.2.1") -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=PortApp(port))
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{host}") as client:
            return await client.get(path)

    return asyncio.run(send())


def test_on_the_hdhomerun_port_only_its_documents_answer_written_for_the_station_port() -> None:
    found = get(80, "/discover.json")
    assert found.status_code == 200
    assert found.json()["base"] == "http://192.0.2.1:8420/"
    assert found.json()["server"] == ["192.0.2.1", 8420]
    refused = get(80, "/iptv/channels.m3u")
    assert refused.status_code == 404
    assert "port 80" in refused.text
    # The station's own port is untouched.
    assert get(8420, "/iptv/channels.m3u", host="192.0.2.1:8420").status_code == 200
    assert get(80, "/discover.json", host="[2001:db8::1]").json()["base"] == (
        "http://[2001:db8::1]:8420/"
    )


def test_a_host_header_loses_its_port_and_keeps_ipv6_brackets() -> None:
    assert without_port("tv.local:80") == "tv.local"
    assert without_port("tv.local") == "tv.local"
    assert without_port("[::1]:80") == "[::1]"
    assert without_port("[::1]") == "[::1]"


def test_a_taken_port_is_one_line_naming_the_port_and_what_it_was_for() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ListenError) as caught:
            bind_listener("127.0.0.1", port, "the station")
    message = str(caught.value)
    assert message == (
        f"cannot listen on 127.0.0.1:{port} for the station: the port is taken "
        "(another station or program has it)"
    )
    assert "\n" not in message


def test_an_address_this_machine_does_not_have_is_one_line_too() -> None:
    with pytest.raises(ListenError, match="no interface of this machine has that address"):
        bind_listener("192.0.2.77", 0, "the station")
