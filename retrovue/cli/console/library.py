"""Placeholder until this section lands."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from retrovue.cli.console.auth_session import page


@page
def index(request: Request) -> Response:
    return PlainTextResponse("soon")


def routes() -> list[BaseRoute]:
    return [Route("/library", index, methods=["GET"], name="library"), *ROUTES_MORE]


@page
def item(request: Request) -> Response:
    return PlainTextResponse("soon")


ROUTES_MORE = [Route("/library/items/{item_id:int}", item, methods=["GET"], name="library_item")]
