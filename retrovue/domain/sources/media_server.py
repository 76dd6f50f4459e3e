"""What every media server source (Plex, Jellyfin, Emby) hands the sync, whatever its API."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from retrovue.domain.editorial import Editorial
from retrovue.domain.markers import MarkerSpec
from retrovue.domain.probe import ProbeResult

# A server's timeout for one answer: long enough for a big page from a NAS-hosted server.
TIMEOUT_S: Final = 30.0


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
    libraries: tuple[str, ...] = field(default=())


class MediaServer(Protocol):
    """A media server's libraries, read in two steps: a survey of every item's change token,
    then the full records of the items the library does not hold in that version."""

    def survey(self, libraries: Sequence[str], marker: str | None) -> Survey: ...

    def read(self, keys: Sequence[str]) -> Iterator[ServerItem]: ...

    def close(self) -> None: ...


def ticks_to_ms(ticks: int | None) -> int | None:
    """Jellyfin and Emby count time in 100-nanosecond ticks."""
    return None if ticks is None or ticks < 0 else ticks // 10_000
