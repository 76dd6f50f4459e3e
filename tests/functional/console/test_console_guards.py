"""The console's guards over real HTTP: sign-in on every route, CSRF on every form, refusals."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from console_process import PASSWORD, Console, start_console
from starlette.routing import Route
from station_process import free_port

from retrovue.cli.console.app import console_routes

PUBLIC = {"signin", "signin_post"}
SAMPLE = {"number": "2", "asset_id": "1", "template_id": "1", "source_id": "1", "item_id": "1"}


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """A console on an empty database whose station is down (nothing listens there)."""
    work = tmp_path_factory.mktemp("guards")
    url = f"sqlite:///{work / 'station.db'}"
    running = start_console(url, work, f"http://127.0.0.1:{free_port()}")
    try:
        yield running
    finally:
        running.stop()


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE[m[1]], path)


def guarded_routes() -> list[tuple[str, str]]:
    found = []
    for route in console_routes():
        assert isinstance(route, Route)
        if route.name in PUBLIC:
            continue
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                found.append((method, concrete(route.path)))
    return found


@contextmanager
def signed_in(console: Console) -> Iterator[tuple[httpx.Client, str]]:
    with httpx.Client(base_url=console.base, timeout=10) as client:
        yield client, _sign_in(client)


def _sign_in(client: httpx.Client) -> str:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text)
    assert token is not None
    answer = client.post("/signin", data={"csrf": token[1], "password": PASSWORD})
    assert answer.status_code == 303
    page = client.get("/channels/new").text
    fresh = re.search(r'name="csrf" value="([^"]+)"', page)
    assert fresh is not None and fresh[1] != token[1]  # sign-in makes a new token
    return fresh[1]


def test_every_route_sends_pages_to_sign_in_and_refuses_forms_without_a_session(
    console: Console,
) -> None:
    routes = guarded_routes()
    assert len(routes) > 40
    with httpx.Client(base_url=console.base, timeout=10) as client:
        for method, path in routes:
            answer = client.request(method, path, data={"name": "x"})
            if method == "GET":
                assert answer.status_code == 303, path
                assert answer.headers["location"].endswith(f"/signin?{urlencode({'next': path})}")
            else:
                assert answer.status_code == 401, f"{method} {path}"


def test_a_form_without_this_sessions_csrf_token_is_refused_and_writes_nothing(
    console: Console,
) -> None:
    with signed_in(console) as (client, token):
        form = {"number": "9", "name": "Nine", "timezone": "UTC"}
        assert client.post("/channels", data=form).status_code == 403
        assert client.post("/channels", data={**form, "csrf": "forged"}).status_code == 403
        assert "Nine" not in client.get("/channels").text
        assert client.post("/channels", data={**form, "csrf": token}).status_code == 303
        assert "Nine" in client.get("/channels").text


def test_the_session_cookie_is_http_only_and_same_site(console: Console) -> None:
    answer = httpx.get(f"{console.base}/signin", timeout=10)
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie


def test_a_station_that_is_down_shows_station_unreachable_not_an_error(console: Console) -> None:
    with signed_in(console) as (client, _):
        answer = client.get("/live")
        assert answer.status_code == 200
        assert "station unreachable at http://127.0.0.1:" in answer.text
        table = client.get("/live/table")
        assert table.status_code == 200 and "station unreachable" in table.text


def test_bad_input_shows_the_clis_message_at_its_field_and_writes_nothing(
    console: Console,
) -> None:
    with signed_in(console) as (client, token):
        answer = client.post(
            "/channels",
            data={"csrf": token, "number": "5", "name": "Five", "timezone": "Mars/Olympus"},
        )
        assert answer.status_code == 400
        assert re.search(
            r'id="timezone-error" role="alert">unknown timezone &#39;Mars/Olympus&#39; '
            r"\(use an IANA name\)<",
            answer.text,
        )
        assert 'aria-describedby="timezone-help timezone-error"' in answer.text
        assert "Five" not in client.get("/channels").text
        assert client.get("/channels/12345").status_code == 404
        assert client.get("/templates/999").status_code == 404


def test_listening_beyond_loopback_without_a_password_is_refused_in_one_line(
    tmp_path: Path,
) -> None:
    env = {"RETROVUE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "retrovue.cli.app", "--db", f"sqlite:///{tmp_path / 'x.db'}",
         "console", "--host", "0.0.0.0", "--port", str(free_port())],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: refusing to listen on 0.0.0.0 without a password: set "
        "RETROVUE_CONSOLE_PASSWORD or run `retrovue console --init`"
    ]


def test_an_init_token_signs_in_and_only_its_hash_is_kept(tmp_path: Path) -> None:
    env = {"RETROVUE_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "retrovue.cli.app", "console", "--init"],
        capture_output=True, text=True, timeout=60, env=env, check=True,
    )  # fmt: skip
    token = done.stdout.strip().splitlines()[-1]
    stored = (tmp_path / "data" / "console" / "token").read_text()
    assert token not in stored and stored.startswith("scrypt$")
    url = f"sqlite:///{tmp_path / 'x.db'}"
    running = start_console(url, tmp_path, "http://127.0.0.1:1", env={
        "RETROVUE_DATA_DIR": str(tmp_path / "data"), "RETROVUE_CONSOLE_PASSWORD": ""})  # fmt: skip
    try:
        with httpx.Client(base_url=running.base, timeout=10) as client:
            csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text)
            assert csrf is not None
            wrong = client.post("/signin", data={"csrf": csrf[1], "password": PASSWORD})
            assert wrong.status_code == 401
            right = client.post("/signin", data={"csrf": csrf[1], "password": token})
            assert right.status_code == 303
            assert client.get("/channels").status_code == 200
    finally:
        running.stop()
