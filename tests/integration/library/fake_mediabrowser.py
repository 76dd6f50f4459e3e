"""Stand-in Jellyfin and Emby servers: real HTTP on loopback, answering from an in-memory library.

Neither server can run on the test machines. Shapes come from the servers' published API
documentation: Jellyfin's OpenAPI schema (as its TypeScript and Kotlin SDKs publish it:
`BaseItemDto`, `MediaSourceInfo`, `MediaStream`, `ChapterInfo`, `BaseItemDtoQueryResult`,
`VirtualFolderInfo`, `ItemFields`, the `GET /Items` parameters and the `MediaBrowser`
authorization scheme) and Emby's REST API reference (`ItemsService/getItems`,
`LibraryStructureService/getLibraryVirtualfoldersQuery`, the `X-Emby-Token` header and the
`MarkerType` of its chapters). `mediabrowser_library.py` holds the records themselves.

The fake honours what a sync relies on: `ParentId` with and without `Recursive`,
`IncludeItemTypes`, `Ids`, `MinDateLastSaved`, `Fields` (heavy fields only when asked, and an
unknown field is a 400 as the servers' enum binding makes it), and `StartIndex`/`Limit`
paging in `DateCreated, SortName` order; a wrong key is a 401. It counts every request and
every full record it sent.
"""

from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler
from typing import Any, Final, Literal

from fake_http import Answer, FakeHttpServer, Seen
from mediabrowser_library import HEAVY_FIELDS, ITEM_FIELDS, Library

API_KEY: Final = "0123456789abcdef0123456789abcdef"
# What a server would never send: the query result with the wrong types.
MALFORMED: Final = b'{"Items": "none", "TotalRecordCount": "many"}'

Flavour = Literal["jellyfin", "emby"]


class FakeMediaServer(FakeHttpServer):
    """A Jellyfin (`flavour="jellyfin"`) or an Emby server over `library`."""

    def __init__(self, flavour: Flavour, library: Library) -> None:
        self.flavour = flavour
        self.library = library
        self.full_records_served = 0
        super().__init__(self._answer, self._authorised, MALFORMED)

    def item_requests(self) -> list[Seen]:
        """Requests naming items one by one or by id (no paged listing of a library does)."""
        return [r for r in self.requests if "Ids" in r.params or re.search(r"/Items/\w", r.path)]

    def reset_counts(self) -> None:
        self.requests.clear()
        self.full_records_served = 0

    def _authorised(self, handler: BaseHTTPRequestHandler, params: dict[str, str]) -> bool:
        if self.flavour == "jellyfin":
            # `Authorization: MediaBrowser Token="..."`: the scheme, then named quoted values.
            scheme = handler.headers.get("Authorization", "")
            token = re.search(r'Token="([^"]*)"', scheme)
            return (
                scheme.startswith("MediaBrowser ")
                and token is not None
                and (token.group(1) == API_KEY)
            )
        return API_KEY in (handler.headers.get("X-Emby-Token"), params.get("api_key"))

    def _answer(self, path: str, params: dict[str, str]) -> Answer:
        status, body = self._route(path, params)
        return Answer(status, json.dumps(body).encode(), "application/json; charset=utf-8")

    def _route(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        if self.flavour == "emby" and path.startswith("/emby/"):
            path = path[len("/emby") :]
        if path == "/Library/VirtualFolders" and self.flavour == "jellyfin":
            return 200, self.library.virtual_folders()
        if path == "/Library/VirtualFolders/Query" and self.flavour == "emby":
            folders = self.library.virtual_folders()
            return 200, {"Items": folders, "TotalRecordCount": len(folders)}
        if path == "/Items":
            return self._items(params)
        return 404, {"message": f"no route {path}"}

    def _items(self, params: dict[str, str]) -> tuple[int, Any]:
        fields = [f for f in params.get("Fields", "").split(",") if f]
        unknown = [f for f in fields if f not in ITEM_FIELDS]
        if unknown:
            return 400, {"title": "One or more validation errors occurred.", "errors": unknown}
        found = self.library.query(
            parent=params.get("ParentId"),
            recursive=params.get("Recursive", "").lower() == "true",
            types=[t for t in params.get("IncludeItemTypes", "").split(",") if t],
            ids=[i for i in params.get("Ids", "").split(",") if i],
            saved_since=params.get("MinDateLastSaved"),
        )
        start = int(params.get("StartIndex", "0"))
        limit = int(params["Limit"]) if "Limit" in params else len(found)
        page = found[start : start + limit]
        if HEAVY_FIELDS & set(fields):
            self.full_records_served += len(page)
        records = [self.library.dto(item, fields, self.flavour) for item in page]
        return 200, {"Items": records, "TotalRecordCount": len(found), "StartIndex": start}
