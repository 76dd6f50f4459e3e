"""Channels: list, add, edit (logo upload, timezone, grid, rollover), remove."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute

from retrovue.cli.console import operations as ops
from retrovue.cli.console.auth_session import action, get, page, post
from retrovue.cli.console.forms import Form, Problem
from retrovue.cli.console.rendering import done, render
from retrovue.cli.console.state import state_of
from retrovue.errors import ConflictError, NotFoundError, RetroVueError, ValidationError
from retrovue.infra.admin_services.parsing import parse_clock

FIELDS: Final = (
    "number", "name", "timezone", "grid_size", "grid_offset", "rollover", "group",
    "logo", "logo_file", "default_template", "active",
)  # fmt: skip
# Where a service names the rule rather than the input, the input it is about.
ALIASES: Final = {"grid": "grid_size", "new_number": "number"}
LOGO_MAGIC: Final = {
    b"\x89PNG\r\n\x1a\n": ".png",
    b"\xff\xd8\xff": ".jpg",
    b"GIF87a": ".gif",
    b"GIF89a": ".gif",
}
MAX_LOGO_BYTES: Final = 1024 * 1024


def _number(request: Request) -> int:
    number: int = request.path_params["number"]
    return number


@page
def list_page(request: Request) -> Response:
    s = state_of(request).station
    return render(request, "channels/list.html", channels=ops.list_channels(s))


@page
def new_page(request: Request) -> Response:
    s = state_of(request).station
    return render(
        request,
        "channels/form.html",
        channel=None,
        values={"timezone": "UTC", "grid_size": "30", "grid_offset": "0", "rollover": "06:00"},
        templates=ops.list_templates(s),
    )


@page
def edit_page(request: Request) -> Response:
    s = state_of(request).station
    channel = ops.get_channel(s, _number(request))
    return render(
        request,
        "channels/form.html",
        channel=channel,
        values=_values(channel),
        templates=ops.list_templates(s),
    )


def _values(channel: dict[str, Any]) -> dict[str, str]:
    return {
        key: "" if channel[key] is None else str(channel[key])
        for key in ("number", "name", "timezone", "grid_size", "grid_offset", "rollover",
                    "group", "logo", "default_template")
    } | {"active": "on" if channel["active"] else ""}  # fmt: skip


async def _logo(request: Request, form: Form) -> str | None:
    """The uploaded logo, saved under the console's files; else the Logo field as typed."""
    upload = form.upload("logo_file")
    if upload is None:
        return form.optional("logo")
    data = await upload.read(MAX_LOGO_BYTES + 1)
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError("logo file must be at most 1 MiB", "logo_file")
    suffix = next((s for magic, s in LOGO_MAGIC.items() if data.startswith(magic)), None)
    if suffix is None:
        raise ValidationError("logo file must be a PNG, JPEG or GIF image", "logo_file")
    folder = state_of(request).settings.files / "logos"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{secrets.token_hex(8)}{suffix}"
    target.write_bytes(data)
    return str(target)


def _form_page(
    request: Request, error: RetroVueError, form: Form, channel: dict[str, Any] | None
) -> Response:
    if isinstance(error, ConflictError) and "number" in str(error):
        error = ValidationError(str(error), "number")
    s = state_of(request).station
    values = form.values() | {"active": "on" if form.checked("active") else ""}
    return render(
        request,
        "channels/form.html",
        problem=Problem.of(error, FIELDS, ALIASES),
        values=values,
        channel=channel,
        templates=ops.list_templates(s),
    )


@action
async def add(request: Request, form: Form) -> Response:
    try:
        number = form.integer("number")
        name = form.text("name")
        fields = {
            "timezone": form.text("timezone") or "UTC",
            "grid_size": form.integer("grid_size", 30),
            "grid_offset": form.integer("grid_offset", 0),
            "rollover_minutes": parse_clock(form.text("rollover") or "06:00", "rollover"),
            "group": form.optional("group"),
            "logo": await _logo(request, form),
            "default_template": form.optional("default_template"),
        }
        s = state_of(request).station
        view = await run_in_threadpool(ops.add_channel, s, number, name, **fields)
    except RetroVueError as error:
        return _form_page(request, error, form, None)
    return done(request, f"channel {view['number']} {view['name']!r} added", "channels")


@action
async def update(request: Request, form: Form) -> Response:
    s = state_of(request).station
    number = _number(request)
    channel = await run_in_threadpool(ops.get_channel, s, number)
    try:
        rollover = form.text("rollover")
        changes = {
            "new_number": form.optional_integer("number"),
            "name": form.text("name") if form.has("name") else None,
            "timezone": form.optional("timezone"),
            "grid_size": form.optional_integer("grid_size"),
            "grid_offset": form.optional_integer("grid_offset"),
            "rollover_minutes": parse_clock(rollover, "rollover") if rollover else None,
            "group": form.text("group"),
            "logo": await _logo(request, form) or "",
            "default_template": form.text("default_template"),
            "active": form.checked("active"),
        }
        view = await run_in_threadpool(ops.update_channel, s, number, **changes)
    except RetroVueError as error:
        return _form_page(request, error, form, channel)
    return done(request, f"channel {view['number']} updated", "channels")


@page
def remove_page(request: Request) -> Response:
    channel = ops.get_channel(state_of(request).station, _number(request))
    return render(request, "channels/remove.html", channel=channel)


@action
def remove(request: Request, form: Form) -> Response:
    number = _number(request)
    ops.remove_channel(state_of(request).station, number)
    return done(request, f"channel {number} removed", "channels")


@page
def logo(request: Request) -> Response:
    """A channel's logo when it is a file the console keeps (uploads only)."""
    channel = ops.get_channel(state_of(request).station, _number(request))
    folder = (state_of(request).settings.files / "logos").resolve()
    path = Path(channel["logo"] or "").resolve()
    if not channel["logo"] or path.parent != folder or not path.is_file():
        raise NotFoundError("logo of channel", channel["number"])
    return FileResponse(path)


def routes() -> list[BaseRoute]:
    return [
        get("/channels", list_page, "channels"),
        get("/channels/new", new_page, "channel_new"),
        post("/channels", add, "channel_add"),
        get("/channels/{number:int}", edit_page, "channel"),
        post("/channels/{number:int}", update, "channel_update"),
        get("/channels/{number:int}/remove", remove_page, "channel_remove_page"),
        post("/channels/{number:int}/remove", remove, "channel_remove"),
        get("/channels/{number:int}/logo", logo, "channel_logo"),
    ]
