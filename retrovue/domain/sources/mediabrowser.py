"""Jellyfin and Emby sources: one API family (both grew from Media Browser), two dialects.

Both answer `GET /Items` with `ParentId`, `Recursive`, `IncludeItemTypes`, `Fields`,
`StartIndex`/`Limit`, `Ids` and `MinDateLastSaved`; they differ in how a key is sent and
where the library list lives, which is all `JellyfinClient` and `EmbyClient` say.

A survey lists every movie and episode of the chosen libraries. The first one asks for the
full records; later ones ask for every item's `Etag` alone (to see what is gone or changed)
and for full records only of what the server saved since the last survey began. Records
still missing (a change the date filter did not catch) are fetched by id, in batches.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import ClassVar, Final, TypeVar

import httpx
from pydantic import TypeAdapter
from pydantic import ValidationError as SchemaError

from retrovue.domain.editorial import Editorial
from retrovue.domain.sources.media_server import TIMEOUT_S, ServerItem, Survey, every_page
from retrovue.domain.sources.mediabrowser_items import describe, playable, series_context
from retrovue.domain.sources.mediabrowser_models import (
    ItemDto,
    ItemsPage,
    VirtualFolderDto,
    VirtualFolderPage,
)
from retrovue.domain.sources.server_http import ServerHttp, server_clock
from retrovue.errors import SourceError

T = TypeVar("T")

PLAYABLE_TYPES: Final = "Movie,Episode"
FULL_FIELDS: Final = "Path,MediaSources,Chapters,Overview,ProviderIds,Genres,Etag"
SERIES_FIELDS: Final = "Overview,Genres"
# Library kinds that hold programmes; None is a mixed folder of movies and shows.
VIDEO_COLLECTIONS: Final = frozenset({"movies", "tvshows", "homevideos", "musicvideos", None})

ITEMS: Final = TypeAdapter(ItemsPage)
# Jellyfin lists libraries as a bare array, Emby as a query result.
FOLDER_LIST: Final = TypeAdapter(list[VirtualFolderDto])
FOLDER_PAGE: Final = TypeAdapter(VirtualFolderPage)


class MediaBrowserClient(ABC):
    """The API both servers share; subclasses name the product, the key header and the
    library list."""

    product: ClassVar[str]

    def __init__(
        self,
        url: str,
        api_key: str,
        http: httpx.Client | None = None,
        *,
        timeout: float = TIMEOUT_S,
        page_size: int = 500,
        batch_size: int = 100,
    ) -> None:
        self._key = api_key
        self._http = ServerHttp(
            self.product,
            url.rstrip("/"),
            self.key_headers(),
            timeout,
            http or httpx.Client(timeout=timeout),
            credential="API key",
        )
        self._page_size = page_size
        self._batch_size = batch_size
        self._records: dict[str, ItemDto] = {}

    def close(self) -> None:
        self._http.close()

    # -- the two dialects -----------------------------------------------------------------

    @abstractmethod
    def key_headers(self) -> dict[str, str]: ...

    @abstractmethod
    def folders(self) -> tuple[list[VirtualFolderDto], str | None]:
        """Every library, and the server's clock when it answered."""

    # -- the survey and the records -------------------------------------------------------

    def survey(self, libraries: Sequence[str], marker: str | None) -> Survey:
        chosen, clock = self._chosen(libraries)
        versions: dict[str, str] = {}
        self._records.clear()
        for folder in chosen:
            scope = {"ParentId": _folder_id(folder), "Recursive": "true"}
            if marker is None:
                for item in self._listing(scope, FULL_FIELDS):
                    versions[item.id] = item.etag or ""
                    self._records[item.id] = item
                continue
            for item in self._listing(scope, "Etag", EnableImages="false"):
                versions[item.id] = item.etag or ""
            for item in self._listing(scope, FULL_FIELDS, MinDateLastSaved=marker):
                if versions.get(item.id) == (item.etag or ""):
                    self._records[item.id] = item
        return Survey(versions, clock)

    def read(self, keys: Sequence[str]) -> Iterator[ServerItem]:
        missing = [k for k in keys if k not in self._records]
        for item in self._by_ids(missing, FULL_FIELDS):
            self._records[item.id] = item
        wanted = [self._records[k] for k in keys if k in self._records]
        series_ids = sorted({i.series_id for i in wanted if i.type == "Episode" and i.series_id})
        series = {s.id: series_context(s) for s in self._by_ids(series_ids, SERIES_FIELDS)}
        for item in wanted:
            found = describe(item, series.get(item.series_id or "", Editorial()))
            if found is not None:
                yield found

    def _chosen(self, names: Sequence[str]) -> tuple[list[VirtualFolderDto], str | None]:
        folders, clock = self.folders()
        video = [f for f in folders if _collection(f) in VIDEO_COLLECTIONS]
        if not names:
            return video, clock
        by_name = {f.name.lower(): f for f in folders}
        chosen = []
        for name in names:
            folder = by_name.get(name.lower())
            if folder is None:
                known = ", ".join(sorted(f.name for f in video)) or "none"
                raise SourceError(
                    f"{self._http.where} has no library named {name!r} "
                    f"(its video libraries: {known})"
                )
            if folder not in video:
                raise SourceError(
                    f"{self.product} library {name!r} holds {folder.collection_type}, not video"
                )
            chosen.append(folder)
        return chosen, clock

    def _listing(self, scope: dict[str, str], fields: str, **extra: str) -> list[ItemDto]:
        """Every playable item under `scope`, page by page."""
        params = {
            **scope,
            **extra,
            "IncludeItemTypes": PLAYABLE_TYPES,
            "Fields": fields,
            "EnableUserData": "false",
            "SortBy": "DateCreated,SortName",
            "SortOrder": "Ascending",
            "Limit": str(self._page_size),
        }

        def page(start: int) -> tuple[list[ItemDto], int | None]:
            answer = self._get_json("/Items", ITEMS, {**params, "StartIndex": str(start)})[0]
            return answer.items, answer.total_record_count

        unique = {i.id: i for i in every_page(page, self._page_size, self._http.where)}
        return [i for i in unique.values() if playable(i)]

    def _by_ids(self, ids: Sequence[str], fields: str) -> Iterator[ItemDto]:
        for first in range(0, len(ids), self._batch_size):
            batch = ids[first : first + self._batch_size]
            params = {"Ids": ",".join(batch), "Fields": fields, "EnableUserData": "false"}
            yield from self._get_json("/Items", ITEMS, params)[0].items

    def _get_json(
        self, path: str, shape: TypeAdapter[T], params: dict[str, str] | None = None
    ) -> tuple[T, str | None]:
        """The answer to `path`, checked against its schema, and the server's clock."""
        response = self._http.get(path, params)
        try:
            return shape.validate_json(response.content), server_clock(response)
        except SchemaError as error:
            raise self._http.malformed(path, _first_problem(error)) from None


class JellyfinClient(MediaBrowserClient):
    product = "Jellyfin"

    def key_headers(self) -> dict[str, str]:
        # Current Jellyfin reads keys from this scheme only (it dropped X-Emby-Token).
        return {"Authorization": f'MediaBrowser Token="{self._key}"'}

    def folders(self) -> tuple[list[VirtualFolderDto], str | None]:
        return self._get_json("/Library/VirtualFolders", FOLDER_LIST)


class EmbyClient(MediaBrowserClient):
    product = "Emby"

    def key_headers(self) -> dict[str, str]:
        return {"X-Emby-Token": self._key}

    def folders(self) -> tuple[list[VirtualFolderDto], str | None]:
        page, clock = self._get_json("/Library/VirtualFolders/Query", FOLDER_PAGE)
        return page.items, clock


def _folder_id(folder: VirtualFolderDto) -> str:
    found = folder.item_id or folder.id
    if not found:
        raise SourceError(f"library {folder.name!r} has no folder id in the server's answer")
    return found


def _collection(folder: VirtualFolderDto) -> str | None:
    kind = (folder.collection_type or "").lower()
    return None if kind in ("", "mixed") else kind


def _first_problem(error: SchemaError) -> str:
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem["loc"])
    return f"{where}: {problem['msg']}" if where else str(problem["msg"])
