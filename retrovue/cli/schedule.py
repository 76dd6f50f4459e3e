"""`retrovue schedule ...`: which template runs on which broadcast day."""

from __future__ import annotations

import typer

from retrovue.cli import render
from retrovue.cli.context import station
from retrovue.domain.errors import ValidationError
from retrovue.infra.admin_services.parsing import parse_date, parse_weekdays

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
