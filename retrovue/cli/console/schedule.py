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
    return [Route("/schedule", index, methods=["GET"], name="schedule")]
