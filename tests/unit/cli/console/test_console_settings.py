"""Sign-in secrets: the token's hash, what a password accepts, which hosts are loopback."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from retrovue.cli.console.settings import (
    ConsoleSettings,
    Credentials,
    hash_secret,
    init_token,
    is_loopback,
    verify_secret,
)
from retrovue.errors import ValidationError


def test_a_hashed_token_verifies_and_nothing_else_does() -> None:
    stored = hash_secret("s3cret")
    assert stored.startswith("scrypt$") and "s3cret" not in stored
    assert verify_secret("s3cret", stored)
    assert not verify_secret("s3cret ", stored)
    assert not verify_secret("s3cret", "scrypt$zz$00")
    assert not verify_secret("s3cret", "plain")


def test_init_keeps_only_the_hash_readable_by_its_owner_and_a_new_token_replaces_it(
    tmp_path: Path,
) -> None:
    env = {"RETROVUE_DATA_DIR": str(tmp_path)}
    token = init_token(env)
    file = tmp_path / "console" / "token"
    assert token not in file.read_text()
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    loaded = Credentials.load(env)
    assert loaded.configured and loaded.accepts(token) and not loaded.accepts("other")
    assert not loaded.accepts("")
    renewed = init_token(env)  # a new token replaces the old one
    assert Credentials.load(env).accepts(renewed) and not Credentials.load(env).accepts(token)


def test_a_runs_own_token_opens_a_session_but_is_not_a_configured_password() -> None:
    run = Credentials(run_token="abc")
    assert run.accepts("abc") and not run.configured
    assert Credentials(password="pw").accepts("pw") and not Credentials().accepts("pw")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("localhost", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.4", False), ("tv.example", False)],
)  # fmt: skip
def test_only_loopback_addresses_count_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_station_url_that_is_not_http_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="station URL must start with http"):
        ConsoleSettings.build(None, "127.0.0.1:8420", {"RETROVUE_DATA_DIR": str(tmp_path)})
