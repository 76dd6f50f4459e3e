"""The console's settings, built once at the edge: where it listens, what it signs in with."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from retrovue.errors import ValidationError
from retrovue.places import data_dir

PASSWORD_ENV: Final = "RETROVUE_CONSOLE_PASSWORD"
ADMIN_TOKEN_ENV: Final = "RETROVUE_ADMIN_TOKEN"
DEFAULT_STATION_URL: Final = "http://127.0.0.1:8420"
_SCRYPT: Final = {"n": 2**14, "r": 8, "p": 1}


def console_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The console's files under the data directory: token hash, logos, poster frames."""
    return data_dir(environ) / "console"


def token_file(environ: Mapping[str, str] | None = None) -> Path:
    return console_dir(environ) / "token"


def hash_secret(secret: str, salt: bytes | None = None) -> str:
    """'scrypt$<salt>$<digest>' of a sign-in token; the token itself is never stored."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    try:
        scheme, salt, _digest = stored.strip().split("$")
        expected = hash_secret(secret, bytes.fromhex(salt))
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(expected, stored.strip())


def init_token(environ: Mapping[str, str] | None = None) -> str:
    """A new sign-in token: its hash replaces any earlier one; the token is returned once."""
    token = secrets.token_urlsafe(24)
    path = token_file(environ)
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_suffix(".new")
    staged.write_text(hash_secret(token) + "\n", encoding="utf-8")
    staged.chmod(0o600)
    staged.replace(path)
    return token


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Credentials:
    """What opens a session: the configured password, the stored token hash, a run's token."""

    password: str | None = None
    token_hash: str | None = None
    run_token: str | None = None

    @property
    def configured(self) -> bool:
        """A password or an `--init` token (a run's own token does not count)."""
        return bool(self.password or self.token_hash)

    def accepts(self, given: str) -> bool:
        if not given:
            return False
        ok = False
        if self.password:
            ok |= hmac.compare_digest(given.encode(), self.password.encode())
        if self.token_hash:
            ok |= verify_secret(given, self.token_hash)
        if self.run_token:
            ok |= hmac.compare_digest(given.encode(), self.run_token.encode())
        return ok

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        env = os.environ if environ is None else environ
        path = token_file(env)
        stored = path.read_text(encoding="utf-8").strip() if path.is_file() else None
        return cls(password=env.get(PASSWORD_ENV) or None, token_hash=stored or None)


@dataclass(frozen=True)
class ConsoleSettings:
    """Everything the console app needs; `files` is where uploads and poster frames go."""

    database_url: str | None
    station_url: str
    credentials: Credentials
    files: Path
    admin_token: str | None = None
    session_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    station_timeout_s: float = 2.0

    @classmethod
    def build(
        cls,
        database_url: str | None,
        station_url: str = DEFAULT_STATION_URL,
        environ: Mapping[str, str] | None = None,
    ) -> ConsoleSettings:
        env = os.environ if environ is None else environ
        url = station_url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ValidationError(
                f"station URL must start with http:// or https://, not {station_url!r}",
                "station_url",
            )
        return cls(
            database_url=database_url,
            station_url=url,
            credentials=Credentials.load(env),
            files=console_dir(env),
            admin_token=env.get(ADMIN_TOKEN_ENV) or None,
        )
