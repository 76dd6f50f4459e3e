"""The `retrovue` command: operator configuration of the station."""

from __future__ import annotations

import functools
import sys
from typing import Any

import typer

from retrovue.cli import asset, assets, channel, db, demo, epg, render, schedule, source, template
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
app.add_typer(db.app, name="db")
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
    """Run the CLI: every error is one line on stderr, exit 1; usage errors exit 2."""
    args = sys.argv[1:] if argv is None else list(argv)
    command = _command()
    try:
        _check_arguments(args)
        result = command.main(args=args, prog_name="retrovue", standalone_mode=False)
    except typer.TyperException as error:
        # Usage errors; an empty message is a group called bare, whose help is printed.
        message = error.format_message()
        if message:
            render.error(f"{message}{_help_hint(error)}")
        return error.exit_code
    except typer.Abort:
        render.error("aborted")
        return 1
    except (RetroVueError, OSError) as error:
        if "--debug" in args:
            raise
        render.error(_message(error))
        return 1
    return result if isinstance(result, int) else 0


@functools.cache
def _command() -> Any:
    """The Click command tree, built once (building it reads every signature)."""
    return typer.main.get_command(app)


def _check_arguments(args: list[str]) -> None:
    """Text no database stores alike never gets in: NUL, and bytes that are not UTF-8 (which
    Python hands over as lone surrogates)."""
    for position, arg in enumerate(args):
        before = args[position - 1] if position else ""
        where = before if before.startswith("-") else f"argument {position + 1}"
        if "\x00" in arg:
            raise typer.BadParameter(f"{where} contains a NUL character")
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raise typer.BadParameter(f"{where} is not valid UTF-8 text") from None


def _help_hint(error: Exception) -> str:
    context = getattr(error, "ctx", None)
    if context is None:
        return ""
    return f" (see {context.command_path} --help)"


def _message(error: Exception) -> str:
    """One line for the operator; a file error names the file and the reason only."""
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename is not None else ""
        return f"{where}{error.strerror}"
    return str(error) or type(error).__name__


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
