"""What a media server source may be added with: an address that is one, its own key."""

from __future__ import annotations

import pytest

from retrovue.errors import ValidationError
from retrovue.infra.bootstrap import Station


@pytest.mark.parametrize(
    "bad",
    [
        "not a url",
        "ftp://media:21",
        "http://",
        "http:/media",
        "http://media:99999",
        "http://media:0",
        "http://media:port",
        "http://media :8096",
        "http://media:8096/?api_key=x",
        "http://user:secret@media:8096",
        "http://media\x00:8096",
        "http://" + "m" * 2000,
    ],
)
def test_an_address_that_is_not_a_server_address_is_refused_before_anything_is_written(
    station: Station, bad: str
) -> None:
    for kind in ("plex", "jellyfin", "emby"):
        with pytest.raises(ValidationError, match="--url") as error:
            station.library.add_source("S", kind, url=bad, token="k")
        assert "\n" not in str(error.value)
    assert station.library.list_sources() == []


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("http://media:8096", "http://media:8096"),
        ("  https://media.example.org/jellyfin/  ", "https://media.example.org/jellyfin"),
        ("http://[::1]:8096", "http://[::1]:8096"),
        ("http://192.168.1.20:32400", "http://192.168.1.20:32400"),
    ],
)
def test_a_server_address_is_kept_without_its_trailing_slash(
    station: Station, given: str, kept: str
) -> None:
    assert station.library.add_source("S", "jellyfin", url=given, token="k")["url"] == kept


def test_a_server_source_needs_its_key(station: Station) -> None:
    with pytest.raises(ValidationError, match="a Jellyfin source needs --url and --api-key"):
        station.library.add_source("S", "jellyfin", url="http://media:8096", token="  ")
    with pytest.raises(ValidationError, match="a Plex source needs --url and --token"):
        station.library.add_source("S", "plex", url="http://media:32400")
    assert station.library.list_sources() == []
