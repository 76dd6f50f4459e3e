"""Schedule: assignments on a month calendar, a day's preview grid, the as-run log (and CSV)."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from retrovue.cli.console import operations as ops
from retrovue.cli.console.auth_session import action, get, page, post
from retrovue.cli.console.forms import Form, Problem
from retrovue.cli.console.rendering import local_time, render
from retrovue.cli.console.state import state_of
from retrovue.errors import RetroVueError, ValidationError
from retrovue.infra.admin_services.parsing import parse_date, parse_weekdays
from retrovue.schedule_manager.airing import ScheduledItem

FIELDS: Final = ("template", "from", "until", "weekdays")
PAD_KINDS: Final = ("slate", "black")


def _channel(request: Request) -> int:
    number: int = request.path_params["number"]
    return number


def _today(request: Request, number: int) -> dt.date:
    # The console is an edge, like the CLI: it may read the wall clock for "today".
    return ops.broadcast_day_of(state_of(request).station, number, dt.datetime.now(dt.UTC))


def _month(raw: str | None, fallback: dt.date) -> dt.date:
    if not raw:
        return fallback.replace(day=1)
    try:
        return dt.date.fromisoformat(f"{raw}-01")
    except ValueError:
        raise ValidationError(f"month must be YYYY-MM, not {raw!r}", "month") from None


@page
def index(request: Request) -> Response:
    channels = ops.list_channels(state_of(request).station)
    if not channels:
        return render(request, "schedule/none.html")
    return RedirectResponse(
        request.url_for("schedule_calendar", number=channels[0]["number"]).path, status_code=303
    )


def weeks(month: dt.date) -> list[list[dt.date]]:
    return calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)


def _calendar(
    request: Request,
    number: int,
    problem: Problem | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    s = state_of(request).station
    channel = ops.get_channel(s, number)
    today = _today(request, number)
    month = _month(request.query_params.get("month"), today)
    assigned = {a["day"]: a["template"] for a in ops.assignments(s, number)}
    shown = weeks(month)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "schedule/calendar.html",
        problem=problem,
        values=values or {"from": today.isoformat(), "until": today.isoformat()},
        channel=channel,
        channels=ops.list_channels(s),
        templates=ops.list_templates(s),
        month=month,
        weeks=shown,
        assigned=assigned,
        today=today,
        previous=previous.strftime("%Y-%m"),
        following=following.strftime("%Y-%m"),
    )


@page
def calendar_page(request: Request) -> Response:
    return _calendar(request, _channel(request))


@action
def assign(request: Request, form: Form) -> Response:
    number = _channel(request)
    s = state_of(request).station
    try:
        template = form.required("template")
        first = parse_date(form.text("from"), "from")
        last = parse_date(form.text("until") or form.text("from"), "until")
        days = parse_weekdays(form.optional("weekdays")) if form.optional("weekdays") else None
        result = ops.assign(s, number, template, first, last, days)
    except RetroVueError as error:
        return _calendar(request, number, Problem.of(error, FIELDS), form.values())
    count = len(result["days"])
    message = (
        f"template {template!r} assigned to channel {number} on {count} day"
        f"{'s' if count != 1 else ''} ({result['days'][0]} .. {result['days'][-1]})"
    )
    request.session["flash"] = " · ".join([message, *(f"warning: {w}" for w in result["warnings"])])
    target = request.url_for("schedule_calendar", number=number).path
    return RedirectResponse(f"{target}?month={first:%Y-%m}", status_code=303)


def _day(request: Request, number: int) -> dt.date:
    raw = request.query_params.get("day")
    return parse_date(raw, "day") if raw else _today(request, number)


def rows(items: list[ScheduledItem]) -> list[dict[str, Any]]:
    """Programs and pads one row each; the spots between them one break row, opened on click."""
    out: list[dict[str, Any]] = []
    for item in items:
        if item.kind == "program" or item.kind in PAD_KINDS:
            out.append({"item": item, "break": None})
        elif out and out[-1]["break"] is not None:
            out[-1]["break"].append(item)
            out[-1]["end"] = item.end_utc
        else:
            out.append({"item": item, "break": [item], "end": item.end_utc})
    return out


@page
def preview(request: Request) -> Response:
    number = _channel(request)
    s = state_of(request).station
    channel = ops.get_channel(s, number)
    day = _day(request, number)
    items = ops.preview_day(s, number, day)
    return render(
        request,
        "schedule/preview.html",
        channel=channel,
        channels=ops.list_channels(s),
        day=day,
        rows=rows(items),
        count=len(items),
        previous=(day - dt.timedelta(days=1)).isoformat(),
        following=(day + dt.timedelta(days=1)).isoformat(),
    )


@page
def asrun(request: Request) -> Response:
    number = _channel(request)
    s = state_of(request).station
    channel = ops.get_channel(s, number)
    day = _day(request, number)
    return render(
        request,
        "schedule/asrun.html",
        channel=channel,
        channels=ops.list_channels(s),
        day=day,
        entries=ops.asrun(s, number, day),
        previous=(day - dt.timedelta(days=1)).isoformat(),
        following=(day + dt.timedelta(days=1)).isoformat(),
    )


@page
def asrun_csv(request: Request) -> Response:
    number = _channel(request)
    s = state_of(request).station
    zone = ops.get_channel(s, number)["timezone"]
    day = _day(request, number)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["started", "ended", "started_utc", "ended_utc", "status", "reason",
                     "kind", "title", "asset_id", "playlog_event_id", "node"])  # fmt: skip
    for e in ops.asrun(s, number, day):
        writer.writerow([
            local_time(e.started_utc, zone, with_date=True),
            local_time(e.ended_utc, zone, with_date=True),
            e.started_utc.isoformat(), e.ended_utc.isoformat() if e.ended_utc else "",
            e.status, e.reason or "", e.kind or "", e.title or "",
            e.asset_id or "", e.playlog_event_id or "", e.node or "",
        ])  # fmt: skip
    name = f"asrun-channel-{number}-{day.isoformat()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def routes() -> list[BaseRoute]:
    return [
        get("/schedule", index, "schedule"),
        get("/schedule/{number:int}", calendar_page, "schedule_calendar"),
        post("/schedule/{number:int}/assign", assign, "schedule_assign"),
        get("/schedule/{number:int}/preview", preview, "schedule_preview"),
        get("/schedule/{number:int}/asrun", asrun, "schedule_asrun"),
        get("/schedule/{number:int}/asrun.csv", asrun_csv, "schedule_asrun_csv"),
    ]
