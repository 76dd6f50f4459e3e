"""Live: each channel's now and next, on air or not, from the station; the director's switch."""

from __future__ import annotations

from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from retrovue.cli.console import operations as ops
from retrovue.cli.console.auth_session import action, get, page, post
from retrovue.cli.console.forms import Form, Problem
from retrovue.cli.console.rendering import done, render
from retrovue.cli.console.state import state_of
from retrovue.cli.console.station_client import LiveStatus
from retrovue.errors import ValidationError

MODES: Final = ("normal", "emergency")
FIELDS: Final = ("mode", "message", "confirm")


async def _status(request: Request) -> tuple[list[dict[str, object]], LiveStatus]:
    state = state_of(request)
    channels = await run_in_threadpool(ops.list_channels, state.station)
    numbers = [int(str(c["number"])) for c in channels if c["active"]]
    return channels, await state.client.status(numbers)


@page
async def live_page(request: Request) -> Response:
    channels, status = await _status(request)
    return render(request, "live/page.html", channels=channels, status=status)


@page
async def live_table(request: Request) -> Response:
    """The table alone, which the page refreshes every few seconds."""
    channels, status = await _status(request)
    return render(request, "live/table.html", channels=channels, status=status)


@action
async def director(request: Request, form: Form) -> Response:
    try:
        mode = form.choice("mode", MODES)
        message = form.optional("message")
        if mode == "emergency":
            if not message:
                raise ValidationError("emergency mode needs the message to show", "message")
            if not form.checked("confirm"):
                raise ValidationError(
                    "tick the box to confirm: emergency replaces every channel's programme",
                    "confirm",
                )
        ok, said = await state_of(request).client.set_mode(mode, message)
        if not ok:
            raise ValidationError(said)
    except ValidationError as error:
        channels, status = await _status(request)
        return render(
            request, "live/page.html", problem=Problem.of(error, FIELDS), values=form.values(),
            channels=channels, status=status,
        )  # fmt: skip
    return done(request, f"director mode {said}", "live")


def routes() -> list[BaseRoute]:
    return [
        get("/live", live_page, "live"),
        get("/live/table", live_table, "live_table"),
        post("/live/director", director, "live_director"),
    ]
