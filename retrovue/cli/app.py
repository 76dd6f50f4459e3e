"""The `retrovue` command: operator configuration of the station."""

from __future__ import annotations

import sys

import typer

from retrovue.cli import asset, assets, channel, demo, epg, render, schedule, source, template
from retrovue.cli.console.command import console
from retrovue.errors import RetroVueError

app = typer.Typer(
    name="retrovue",
    help="Configure a RetroVue station: library, catalog, channels, templates, schedule.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(channel.app, name="channel")
app.add_typer(template.app, name="template")
app.add_typer(schedule.app, name="schedule")
app.add_typer(asset.asset_app, name="asset")
app.add_typer(asset.catalog_app, name="catalog")
app.add_typer(epg.app, name="epg")
app.add_typer(source.app, name="source")
app.add_typer(assets.app, name="assets")
app.command("demo")(demo.demo)
app.command("console")(console)


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None, "--db", envvar="RETROVUE_DATABASE_URL", help="Database URL (default: SQLite)."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
) -> None:
    ctx.obj = {"db": db, "debug": debug}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI: our errors and file errors print one line and exit 1, usage errors 2."""
    command = typer.main.get_command(app)
    try:
        # Standalone mode prints usage errors and exits 2; our own errors come through.
        command.main(args=argv, prog_name="retrovue", standalone_mode=True)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    except (RetroVueError, OSError) as error:
        if "--debug" in (argv if argv is not None else sys.argv):
            raise
        render.err.print(f"error: {_message(error)}", markup=False)
        return 1
    return 0


def _message(error: Exception) -> str:
    """One line for the operator; a file error names the file and the reason only."""
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename is not None else ""
        return f"{where}{error.strerror}"
    return " ".join(str(error).split()) or type(error).__name__


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
