"""Pages from Jinja2 templates (autoescaped), with the context every page shares."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from retrovue.cli.console.auth_session import csrf_token, signed_in
from retrovue.cli.console.forms import Problem
from retrovue.cli.console.state import state_of

HTML = Path(__file__).parent / "html"


def clock(ms: int | None) -> str:
    """Milliseconds as H:MM:SS."""
    if ms is None:
        return ""
    seconds = round(ms / 1000)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def local_time(value: str | dt.datetime | None, zone: str = "UTC", with_date: bool = False) -> str:
    if value is None:
        return ""
    instant = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    local = instant.astimezone(zoneinfo.ZoneInfo(zone))
    return local.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


@cache
def timezones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def build_pages() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HTML),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = clock
    env.filters["local_time"] = local_time
    env.globals["timezones"] = timezones
    return Jinja2Templates(env=env)


def render(
    request: Request,
    name: str,
    code: int = 200,
    problem: Problem | None = None,
    values: dict[str, Any] | None = None,
    **context: Any,
) -> Response:
    """Render page `name`; `problem` shows at its field (or above the form), `values` refill it."""
    shared = {
        "csrf": csrf_token(request),
        "signed_in": signed_in(request),
        "section": name.split("/")[0].removesuffix(".html"),
        "problem": problem,
        "errors": problem.fields if problem else {},
        "top_error": problem.message if problem and problem.field is None else None,
        "values": values or {},
        "station_url": state_of(request).settings.station_url,
        "flash": request.session.pop("flash", None),
    }
    return state_of(request).pages.TemplateResponse(
        request, name, {**shared, **context}, status_code=problem.status if problem else code
    )


def done(request: Request, message: str, route: str, **params: Any) -> Response:
    """After a change: back to `route` (303), where `message` (the CLI's words) is shown once."""
    request.session["flash"] = message
    return RedirectResponse(request.url_for(route, **params).path, status_code=303)
