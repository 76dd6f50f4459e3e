"""`retrovue epg ...`: the guide as XMLTV, from the playlog."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer

from retrovue.cli import render
from retrovue.cli.context import station
from retrovue.infra.admin_services.parsing import check_hours
from retrovue.schedule_manager.xmltv import render_xmltv

app = typer.Typer(help="Electronic programme guide.", no_args_is_help=True)


@app.command("export")
def export(
    ctx: typer.Context,
    output: Path | None = typer.Option(None, "-o", "--output", help="File (default: stdout)."),
    hours: float = typer.Option(72.0, "--hours", help="How far ahead from now."),
) -> None:
    """Write XMLTV for every active channel from now to now + hours."""
    # The CLI is an edge: reading the wall clock here is allowed.
    span = dt.timedelta(hours=check_hours(hours))
    now = dt.datetime.now(dt.UTC)
    with station(ctx) as s:
        document = render_xmltv(s.db, now, now + span)
    if output is None:
        sys.stdout.buffer.write(document)
        return
    output.write_bytes(document)
    render.done(f"guide written to {output}")
