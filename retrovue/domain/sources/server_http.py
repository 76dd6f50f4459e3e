"""One GET to a media server, its failures turned into one line an operator can act on."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from retrovue.errors import SourceError


@dataclass
class ServerHttp:
    """A server at `base`, reached with the key in `headers`; `product` names it in errors."""

    product: str
    base: str
    headers: Mapping[str, str]
    timeout: float
    http: httpx.Client
    credential: str = "key"

    @property
    def where(self) -> str:
        return f"{self.product} server {self.base}"

    def get(self, path: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        try:
            response = self.http.get(
                self.base + path, params=dict(params or {}), headers=dict(self.headers)
            )
        except httpx.TimeoutException:
            raise SourceError(
                f"{self.where} did not answer {path} within {self.timeout:g} s"
            ) from None
        except httpx.HTTPError as error:
            raise SourceError(f"{self.where} unreachable: {error}") from None
        if response.status_code in (401, 403):
            raise SourceError(
                f"{self.where} refused the {self.credential} ({response.status_code})"
            )
        if response.status_code != 200:
            raise SourceError(f"{self.where} answered {response.status_code} to {path}")
        return response

    def malformed(self, path: str, problem: str) -> SourceError:
        return SourceError(f"{self.where} sent a malformed answer to {path}: {problem}")

    def close(self) -> None:
        self.http.close()


def server_clock(response: httpx.Response) -> str | None:
    """The server's own time from its Date header (UTC, whole seconds), or None."""
    raw = response.headers.get("Date")
    if not raw:
        return None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
