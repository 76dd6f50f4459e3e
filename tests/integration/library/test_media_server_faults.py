"""Plex, Jellyfin and Emby failing: one line naming the problem, nothing written, state kept."""

from __future__ import annotations

import functools
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fake_http import FakeHttpServer, Fault
from fake_mediabrowser import API_KEY, FakeMediaServer
from fake_plex import TOKEN, FakePlex
from mediabrowser_library import build

from retrovue.domain.models import Source
from retrovue.domain.sources.media_server import MediaServer
from retrovue.domain.sources.server_sync import connect
from retrovue.errors import SourceError
from retrovue.infra.bootstrap import Station
from retrovue.infra.library_services import LibraryService

# Short enough to keep the test quick, long enough for a loaded machine's honest answers.
TIMEOUT_S = 1.5


@dataclass
class Server:
    """A running fake and the three edits a sync would have to write: an item gone earlier
    coming back, an item changed, an item removed."""

    kind: str
    fake: FakeHttpServer
    key: str
    come_back: Callable[[], None]
    change: Callable[[], None]
    remove: Callable[[], None]
    vanish: Callable[[], None]
    rename_movies: Callable[[str], None]


def _plex() -> Server:
    fake = FakePlex()
    videos = fake.library.videos
    kept = videos["103"]

    def change() -> None:
        videos["200"].updated_at += 1
        videos["200"].title = "Big Movie (recut)"

    return Server(
        "plex",
        fake,
        TOKEN,
        come_back=lambda: videos.__setitem__("103", kept),
        change=change,
        remove=lambda: videos.pop("102"),
        vanish=lambda: videos.pop("103"),
        rename_movies=lambda name: fake.library.sections.__setitem__(0, ("1", "movie", name)),
    )


def _mediabrowser(flavour: str) -> Server:
    fake = FakeMediaServer(flavour, build(shows=2, seasons=1, episodes=3, movies=4))  # type: ignore[arg-type]
    records = fake.library.records
    kept = fake.library.named("Movie 001")
    return Server(
        flavour,
        fake,
        API_KEY,
        come_back=lambda: records.__setitem__(kept["Id"], kept),
        change=lambda: fake.library.touch(fake.library.named("Movie 002")["Id"], Name="Recut"),
        remove=lambda: fake.library.remove(fake.library.named("Episode 1 of Show 00")["Id"]),
        vanish=lambda: fake.library.remove(kept["Id"]),
        rename_movies=lambda name: fake.library.folders[1].__setitem__("Name", name),
    )


@pytest.fixture(params=["plex", "jellyfin", "emby"])
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    made = _plex() if request.param == "plex" else _mediabrowser(request.param)
    try:
        yield made
    finally:
        made.fake.close()


def _library(station: Station) -> LibraryService:
    return LibraryService(station.db, server_factory=functools.partial(connect, timeout=TIMEOUT_S))


def _state(station: Station) -> tuple[Any, ...]:
    """Everything a sync writes: items, their metadata and change tokens, the sync marker."""
    items = [
        station.library.get_item(int(i["id"]))
        for i in station.library.list_items(source="Lib", include_deleted=True)
    ]
    rows = [
        (i["path"], i["title"], i["soft_deleted"], i["duration_ms"], str(i["provider_refs"]))
        for i in items
    ]
    return tuple(rows), station.library.get_source("Lib")["synced_since"]


@pytest.fixture
def synced(station: Station, server: Server) -> tuple[LibraryService, tuple[Any, ...]]:
    """Two good syncs (the second sees one item vanish), then edits the next sync must write."""
    station.library.add_source("Lib", server.kind, url=server.fake.url, token=server.key)
    library = _library(station)
    library.sync("Lib")
    server.vanish()
    assert library.sync("Lib")["vanished"] == 1
    before = _state(station)
    server.come_back()
    server.change()
    server.remove()
    return library, before


def _one_line(error: pytest.ExceptionInfo[SourceError]) -> str:
    message = str(error.value)
    assert "\n" not in message and message.strip() == message
    return message


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("stall", r"did not answer /\S+ within 1\.5 s"),
        ("malformed", r"sent a malformed answer to /\S+: "),
        ("server error", r"answered 500 to /\S+"),
    ],
)
def test_a_fault_on_the_last_request_of_a_sync_writes_nothing_and_keeps_the_last_state(
    station: Station,
    server: Server,
    synced: tuple[LibraryService, tuple[Any, ...]],
    fault: Fault,
    expected: str,
) -> None:
    library, before = synced
    # A dry run does the whole sync and rolls it back: it says how many requests there are.
    mark = len(server.fake.requests)
    dry = library.sync("Lib", dry_run=True)
    assert (dry["returned"], dry["updated"], dry["vanished"]) == (1, 1, 1)
    needed = len(server.fake.requests) - mark
    assert _state(station) == before
    server.fake.fail(fault, after=needed - 1)
    with pytest.raises(SourceError) as error:
        library.sync("Lib")
    assert f"{server.kind.title()} server {server.fake.url}" in _one_line(error)
    assert error.match(expected)
    assert _state(station) == before
    server.fake.heal()
    healed = library.sync("Lib")
    assert (healed["returned"], healed["updated"], healed["vanished"]) == (1, 1, 1)


def test_a_wrong_key_is_refused_in_one_line_and_writes_nothing(
    station: Station, server: Server, synced: tuple[LibraryService, tuple[Any, ...]]
) -> None:
    _, before = synced

    def wrong_key(source: Source) -> MediaServer:
        source = Source(name=source.name, type=source.type, url=source.url, token="not-it")
        return connect(source, timeout=TIMEOUT_S)

    with pytest.raises(SourceError) as error:
        LibraryService(station.db, server_factory=wrong_key).sync("Lib")
    credential = "token" if server.kind == "plex" else "API key"
    assert _one_line(error).endswith(f"refused the {credential} (401)")
    assert _state(station) == before


def test_an_unreachable_server_is_named_in_one_line_and_the_library_is_kept(
    station: Station, server: Server, synced: tuple[LibraryService, tuple[Any, ...]]
) -> None:
    library, before = synced
    server.fake.close()
    with pytest.raises(SourceError) as error:
        library.sync("Lib")
    assert f"server {server.fake.url} unreachable" in _one_line(error)
    assert _state(station) == before


def test_a_port_with_nothing_behind_it_is_unreachable(station: Station) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    station.library.add_source("J", "jellyfin", url=f"http://127.0.0.1:{port}", token=API_KEY)
    with pytest.raises(SourceError) as error:
        station.library.sync("J")
    assert _one_line(error).startswith(f"Jellyfin server http://127.0.0.1:{port} unreachable")


def test_a_named_library_the_server_no_longer_has_is_refused_and_the_library_is_kept(
    station: Station, server: Server
) -> None:
    station.library.add_source(
        "Lib", server.kind, url=server.fake.url, token=server.key, libraries=["Movies"]
    )
    library = _library(station)
    library.sync("Lib")
    before = _state(station)
    server.rename_movies("Films")
    with pytest.raises(SourceError) as error:
        library.sync("Lib")
    assert "has no video library named 'Movies'" in _one_line(error) or (
        "has no library named 'Movies'" in str(error.value)
    )
    assert "Films" in str(error.value)
    assert _state(station) == before
