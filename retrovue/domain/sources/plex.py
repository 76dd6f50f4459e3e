"""Plex source: every movie and episode of a server's libraries over Plex's HTTP API.

Plain HTTP (httpx + ElementTree) rather than python-plexapi: a sync reads three endpoints and
a few dozen attributes, and plexapi would add a dependency with its own session, retries and
config file, fetch lazily behind attribute access (an unseen request per attribute during a
sync) and hide the exact XML the fake server in our tests must reproduce.

A survey pages through each library flat (`type=1` movies, `type=4` episodes), which lists
every item with its `updatedAt` and its Media/Part elements. An item's chapters, intro and
credits markers, genres and outside ids come only from its own metadata, which `read` fetches
for new and changed items, many ids to a request (`/library/metadata/1,2,3`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import httpx

from retrovue.domain.editorial import Editorial, clean_rating
from retrovue.domain.sources.media_server import TIMEOUT_S, ServerItem, Survey, every_page
from retrovue.domain.sources.plex_items import Listed, detail, item, listed_parts
from retrovue.domain.sources.server_http import ServerHttp
from retrovue.errors import SourceError

# Plex's flat listing types: what a movie library and a show library hold to play.
PLAYABLE_TYPE: Final = {"movie": "1", "show": "4"}
DETAIL_PARAMS: Final = {"includeChapters": "1", "includeMarkers": "1", "includeGuids": "1"}


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    type: str


class PlexClient:
    """A Plex Media Server reached with an `X-Plex-Token`."""

    def __init__(
        self,
        url: str,
        token: str,
        http: httpx.Client | None = None,
        *,
        timeout: float = TIMEOUT_S,
        page_size: int = 500,
        batch_size: int = 50,
    ) -> None:
        self._http = ServerHttp(
            "Plex",
            url.rstrip("/"),
            {"X-Plex-Token": token, "Accept": "application/xml"},
            timeout,
            http or httpx.Client(timeout=timeout),
            credential="token",
        )
        self._page_size = page_size
        self._batch_size = batch_size
        self._listed: dict[str, Listed] = {}

    def close(self) -> None:
        self._http.close()

    def sections(self, names: Sequence[str] = ()) -> list[Section]:
        """The video libraries, limited to `names` when given."""
        found = [
            Section(d.get("key", ""), d.get("title", ""), d.get("type", ""))
            for d in self._xml("/library/sections").iter("Directory")
            if d.get("type") in PLAYABLE_TYPE
        ]
        if not names:
            return found
        by_title = {s.title.lower(): s for s in found}
        chosen = []
        for name in names:
            section = by_title.get(name.lower())
            if section is None:
                known = ", ".join(sorted(s.title for s in found)) or "none"
                raise SourceError(
                    f"Plex has no video library named {name!r} (its video libraries: {known})"
                )
            chosen.append(section)
        return chosen

    def survey(self, libraries: Sequence[str], marker: str | None) -> Survey:
        """Every part of every playable item, keyed `ratingKey` (`ratingKey:n` for part n of
        a multi-part item), with its `updatedAt` as the change token."""
        chosen = self.sections(libraries)
        self._listed.clear()
        for section in chosen:
            path = f"/library/sections/{section.key}/all"
            for video in self._paged(path, {"type": PLAYABLE_TYPE[section.type]}, "Video"):
                for part in listed_parts(video):
                    self._listed.setdefault(part.key, part)
        versions = {key: part.version for key, part in self._listed.items()}
        return Survey(versions)

    def read(self, keys: Sequence[str]) -> Iterator[ServerItem]:
        wanted = [self._listed[k] for k in keys if k in self._listed]
        details = {
            v.get("ratingKey", ""): detail(v)
            for v in self._metadata([p.rating_key for p in wanted], "Video", DETAIL_PARAMS)
        }
        shows = {
            d.get("ratingKey", ""): _show_context(d)
            for d in self._metadata([p.show_key for p in wanted if p.show_key], "Directory")
        }
        for part in wanted:
            found = details.get(part.rating_key)
            if found is None:
                continue  # removed from Plex since the survey: it is gone, not changed
            yield item(part, found, shows.get(part.show_key or "", Editorial()))

    def _metadata(
        self, keys: Sequence[str], tag: str, params: Mapping[str, str] | None = None
    ) -> Iterator[ET.Element]:
        unique = list(dict.fromkeys(keys))
        for first in range(0, len(unique), self._batch_size):
            batch = ",".join(unique[first : first + self._batch_size])
            yield from self._xml(f"/library/metadata/{batch}", params).iter(tag)

    def _paged(self, path: str, params: Mapping[str, str], tag: str) -> list[ET.Element]:
        """Every `tag` element of a listing, a page at a time."""

        def page(start: int) -> tuple[list[ET.Element], int | None]:
            paging = {
                "X-Plex-Container-Start": str(start),
                "X-Plex-Container-Size": str(self._page_size),
            }
            answer = self._xml(path, {**params, **paging})
            found = list(answer.iter(tag))
            return found, _int(answer.get("totalSize"))

        return every_page(page, self._page_size, f"{self._http.where} ({path})")

    def _xml(self, path: str, params: Mapping[str, str] | None = None) -> ET.Element:
        response = self._http.get(path, params)
        try:
            root = ET.fromstring(response.content)
        except ET.ParseError as error:
            raise self._http.malformed(path, f"bad XML ({error})") from None
        if root.tag != "MediaContainer":
            raise self._http.malformed(path, f"<{root.tag}> where a MediaContainer belongs")
        return root


def _show_context(show: ET.Element) -> Editorial:
    return Editorial(
        series=show.get("title"),
        genres=tuple(g.get("tag", "") for g in show.findall("Genre") if g.get("tag")),
        content_rating=clean_rating(show.get("contentRating")),
    )


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None
