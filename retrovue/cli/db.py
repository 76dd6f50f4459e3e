"""`retrovue db ...`: the station database's schema."""

from __future__ import annotations

import typer

from retrovue.cli import render
from retrovue.infra.bootstrap import upgrade_database

app = typer.Typer(help="The station database: its schema.", no_args_is_help=True)

UPGRADE_HELP = (
    "Bring the database schema up to date and print its revision.\n\n"
    "Migrates the database named by --db, RETROVUE_DATABASE_URL or the default SQLite file "
    "to the schema this RetroVue needs, creating it when empty. Safe to run again: a current "
    "database is left as it is. retrovue-station never changes the schema; it asks for this "
    "command when the database is empty or older."
)


@app.command("upgrade", help=UPGRADE_HELP)
def upgrade(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print {before, revision, upgraded}."),
) -> None:
    """Migrate the database to the current schema."""
    before, after = upgrade_database(ctx.obj.get("db") if ctx.obj else None)
    if as_json:
        render.emit_json({"before": before, "revision": after, "upgraded": before != after})
    elif before == after:
        render.done(f"database already at revision {after}")
    else:
        render.done(f"database upgraded from {before or 'an empty database'} to revision {after}")
