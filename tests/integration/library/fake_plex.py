"""A stand-in Plex Media Server: real HTTP on loopback, answering from `plex_library`.

Plex cannot run on the test machines. This answers the three endpoints a sync reads,
`/library/sections`, `/library/sections/{key}/all` (the `type` filter and
`X-Plex-Container-Start`/`-Size` paging, from the query or the headers) and
`/library/metadata/{ids}` (comma-separated ids, as Plex batches them), and checks the
X-Plex-Token as Plex does (401 without it). It keeps every request for tests to count.
"""

from __future__ import annotations

import re
from http.server import BaseHTTPRequestHandler
from typing import Final

from fake_http import Answer, FakeHttpServer
from plex_library import PlexLibrary, sample

TOKEN: Final = "test-token-123"
MALFORMED: Final = b"<MediaContainer size='1'><Video ratingKey="
XML: Final = "text/xml;charset=utf-8"


class FakePlex(FakeHttpServer):
    """Plex over `library` (the sample library unless given)."""

    def __init__(self, library: PlexLibrary | None = None) -> None:
        self.library = library or sample()
        super().__init__(self._answer, _authorised, MALFORMED)

    def metadata_requests(self) -> list[str]:
        """Paths of the item-metadata requests (each may name several items)."""
        return [r.path for r in self.requests if r.path.startswith("/library/metadata/")]

    def _answer(self, path: str, params: dict[str, str]) -> Answer:
        if path == "/library/sections":
            return Answer(200, self.library.sections_xml(), XML)
        listing = re.fullmatch(r"/library/sections/(\w+)/all", path)
        if listing:
            size = params.get("X-Plex-Container-Size")
            body = self.library.listing(
                listing.group(1),
                params.get("type", "2"),
                int(params.get("X-Plex-Container-Start", "0")),
                int(size) if size is not None else None,
            )
            return Answer(200, body, XML)
        metadata = re.fullmatch(r"/library/metadata/([\w,]+)", path)
        if metadata:
            return Answer(200, self.library.metadata(metadata.group(1).split(",")), XML)
        return Answer(404, b"<html><head><title>Not Found</title></head></html>", "text/html")


def _authorised(handler: BaseHTTPRequestHandler, params: dict[str, str]) -> bool:
    return TOKEN in (handler.headers.get("X-Plex-Token"), params.get("X-Plex-Token"))
