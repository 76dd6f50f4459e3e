"""What every media server source (Plex, Jellyfin, Emby) hands the sync, whatever its API."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final, Protocol, TypeVar

from retrovue.domain.editorial import Editorial
from retrovue.domain.markers import MarkerSpec
from retrovue.domain.probe import ProbeResult
from retrovue.errors import SourceError

T = TypeVar("T")

# A server's timeout for one answer: long enough for a big page from a NAS-hosted server.
TIMEOUT_S: Final = 30.0
# Listings restarted when the library changes under the paging, before the sync gives up.
LISTING_ATTEMPTS: Final = 3


@dataclass(frozen=True)
class ServerItem:
    """One playable file as a server describes it.

    `key` names it at the server (a multi-part item has one key per part); `version` is the
    server's change token for it, so a sync that finds the same token knows it is unchanged.
    `technical` is what the server measured; a server that has not analysed the file yet
    reports no video codec, and the sync probes the file itself when it can reach it.
    """

    key: str
    version: str
    path: str
    size: int
    editorial: Editorial
    technical: ProbeResult
    markers: tuple[MarkerSpec, ...] = ()
    # Other catalogues' ids for the same programme: ("imdb", "tt0088512"), ...
    external_ids: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Survey:
    """Every playable item the chosen libraries list now, by key, with its change token.

    `marker` is the server's clock when the survey began: handed back to the next survey, it
    lets the server answer only for what it saved since.
    """

    versions: dict[str, str]
    marker: str | None = None


class MediaServer(Protocol):
    """A media server's libraries, read in two steps: a survey of every item's change token,
    then the full records of the items the library does not hold in that version."""

    def survey(self, libraries: Sequence[str], marker: str | None) -> Survey: ...

    def read(self, keys: Sequence[str]) -> Iterator[ServerItem]: ...

    def close(self) -> None: ...


def ticks_to_ms(ticks: int | None) -> int | None:
    """Jellyfin and Emby count time in 100-nanosecond ticks."""
    return None if ticks is None or ticks < 0 else ticks // 10_000


def every_page(page: Callable[[int], tuple[list[T], int | None]], size: int, where: str) -> list[T]:
    """Every element of an offset-paged listing; `page(start)` gives up to `size` elements and
    the total (None when the server does not say: then pages are read until a short one).

    A library that changes while it is paged shifts the offsets, so an item can slip between
    two pages unseen and then look deleted; a total that moves between pages shows it, and the
    listing starts over. A server that keeps changing, or stops short of its own total, fails
    the sync instead.
    """
    for _ in range(LISTING_ATTEMPTS):
        listed = _one_pass(page, size)
        if listed is None:
            continue
        found, total = listed
        if total is not None and len(found) < total:
            raise SourceError(
                f"{where} stopped listing at {len(found)} of {total} items; "
                "nothing was written, sync again"
            )
        return found
    raise SourceError(f"{where} kept changing while it was listed; nothing was written, sync again")


def _one_pass(
    page: Callable[[int], tuple[list[T], int | None]], size: int
) -> tuple[list[T], int | None] | None:
    """One pass through the pages; None when the total moved under it."""
    found: list[T] = []
    items, total = page(0)
    while True:
        found += items
        if total is not None and len(found) >= total:
            return found, total
        # A short page ends a listing of unknown length; so does a server that ignored the
        # paging and sent everything at once.
        if not items or (total is None and len(items) != size):
            return found, total
        items, now = page(len(found))
        if now != total:
            return None
