"""`retrovue schedule ...`: which template runs on which broadcast day."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import typer

from retrovue.cli import render
from retrovue.cli.context import station
from retrovue.errors import ValidationError
from retrovue.infra.admin_services.parsing import parse_date, parse_weekdays
from retrovue.schedule_manager.airing import ScheduledItem
from retrovue.schedule_manager.schedule_service import ScheduleService

app = typer.Typer(help="Broadcast-day assignments and the planned schedule.", no_args_is_help=True)


@app.command("assign")
def assign(
    ctx: typer.Context,
    channel: int = typer.Option(..., "--channel"),
    template: str = typer.Option(..., "--template"),
    day: str | None = typer.Option(None, "--day", help="One broadcast day, YYYY-MM-DD."),
    from_: str | None = typer.Option(None, "--from", help="First day of a range."),
    until: str | None = typer.Option(None, "--until", help="Last day of a range (inclusive)."),
    weekdays: str | None = typer.Option(None, "--weekdays", help="e.g. mon,tue,wed"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Assign a template to one day, or to a range of days (optionally some weekdays)."""
    if day is not None and (from_ or until or weekdays):
        raise ValidationError("give --day, or --from and --until (with --weekdays), not both")
    if day is not None:
        first = last = parse_date(day)
        days = None
    elif from_ and until:
        first, last = parse_date(from_, "from"), parse_date(until, "until")
        days = parse_weekdays(weekdays)
    else:
        raise ValidationError("give --day, or both --from and --until")
    with station(ctx) as s:
        result = s.schedule.assign_template(channel, template, first, last, days)
    if as_json:
        render.emit_json(result)
        return
    for warning in result["warnings"]:
        render.warn(warning)
    count = len(result["days"])
    render.done(
        f"template {template!r} assigned to channel {channel} on {count} day"
        f"{'s' if count != 1 else ''} ({result['days'][0]} .. {result['days'][-1]})"
    )


@app.command("assignments")
def assignments(
    ctx: typer.Context,
    channel: int = typer.Option(..., "--channel"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List the days a channel has a template assigned."""
    with station(ctx) as s:
        render.show(s.schedule.list_assignments(channel), as_json, ("day", "template"))


def _rows(items: list[ScheduledItem], zone: str) -> list[dict[str, Any]]:
    tz = ZoneInfo(zone)
    return [
        {
            "start": i.start_utc.astimezone(tz).isoformat(timespec="seconds"),
            "end": i.end_utc.astimezone(tz).isoformat(timespec="seconds"),
            "start_utc": i.start_utc.isoformat(),
            "end_utc": i.end_utc.isoformat(),
            "kind": i.kind,
            "title": i.title,
            "asset_id": i.asset_id,
            "in_point_ms": i.in_point_ms,
            "duration_ms": i.duration_ms,
            "program_group": i.program_group,
            "note": i.note,
        }
        for i in items
    ]


def _print_day(rows: list[dict[str, Any]], as_json: bool, title: str) -> None:
    if as_json:
        render.emit_json(rows)
        return
    for row in rows:
        row["time"] = row["start"][11:19]
        row["length"] = f"{row['duration_ms'] // 60000}:{row['duration_ms'] // 1000 % 60:02d}"
        row["from"] = f"{row['in_point_ms'] // 60000}:{row['in_point_ms'] // 1000 % 60:02d}"
    render.table(rows, ("time", "kind", "title", "from", "length", "note"), title=title)


@app.command("show")
def show(
    ctx: typer.Context,
    channel: int = typer.Option(..., "--channel"),
    day: str | None = typer.Option(None, "--day", help="Broadcast day (default: today's)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The planned day from the playlog (what `retrovue-station` built)."""
    with station(ctx) as s:
        s.channels.get_channel(channel)
        service = ScheduleService(s.db)
        info = service.channel(channel)
        # The CLI edge is where "today" may be read from the wall clock.
        when = (
            parse_date(day)
            if day is not None
            else service.broadcast_day_of(channel, dt.datetime.now(dt.UTC))
        )
        rows = _rows(service.show_day(channel, when), info.timezone)
    _print_day(rows, as_json, f"channel {channel}, broadcast day {when} (playlog)")


@app.command("preview")
def preview(
    ctx: typer.Context,
    channel: int = typer.Option(..., "--channel"),
    day: str = typer.Option(..., "--day", help="Broadcast day, YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Lay out a broadcast day in memory, as the planner would now; writes nothing."""
    when = parse_date(day)
    with station(ctx) as s:
        s.channels.get_channel(channel)
        service = ScheduleService(s.db)
        info = service.channel(channel)
        rows = _rows(service.preview_day(channel, when), info.timezone)
    _print_day(rows, as_json, f"channel {channel}, broadcast day {when} (preview)")
