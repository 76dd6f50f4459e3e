"""A stand-in Plex Media Server: real HTTP on localhost, answering with XML fixtures.

Plex cannot run on the test machines; this serves `plex_fixtures/*.xml` (shaped like real
responses, see each file's header) and checks the X-Plex-Token as Plex does (401 without it).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Final
from urllib.parse import parse_qs, urlsplit

FIXTURES: Final = Path(__file__).parent / "plex_fixtures"
TOKEN: Final = "test-token-123"

ROUTES: Final = {
    "/library/sections": "sections.xml",
    "/library/sections/1/all": "section_1_all.xml",
    "/library/sections/2/all": "section_2_all.xml",
    "/library/metadata/100/children": "metadata_100_children.xml",
    "/library/metadata/101/children": "metadata_101_children.xml",
    "/library/metadata/102": "metadata_102.xml",
    "/library/metadata/103": "metadata_103.xml",
    "/library/metadata/200": "metadata_200.xml",
}


class FakePlex:
    """`documents` maps a request path to the XML served; tests edit it to change the server."""

    def __init__(self) -> None:
        self.documents = {path: (FIXTURES / name).read_text() for path, name in ROUTES.items()}
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                token = self.headers.get("X-Plex-Token") or query.get("X-Plex-Token", [""])[0]
                fake.requests.append(url.path)
                if token != TOKEN:
                    self._send(401, b"<html><head><title>Unauthorized</title></head></html>")
                    return
                body = fake.documents.get(url.path)
                if body is None:
                    self._send(404, b"<html><head><title>Not Found</title></head></html>")
                    return
                self._send(200, body.encode())

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/xml;charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def remove_video(self, path: str, rating_key: str) -> None:
        """Delete an item from a listing, as Plex does when its file is removed."""
        document = self.documents[path]
        start = document.index(f'<Video ratingKey="{rating_key}"')
        end = document.index("</Video>", start) + len("</Video>")
        self.documents[path] = document[:start] + document[end:]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
