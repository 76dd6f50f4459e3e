"""`retrovue template ...`: templates and their dayparted blocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from retrovue.cli import render
from retrovue.cli.context import station
from retrovue.errors import ValidationError
from retrovue.infra.admin_services.parsing import (
    MAX_JSON_CHARS,
    parse_clock,
    parse_json,
    parse_tags,
)

app = typer.Typer(help="Templates of dayparted blocks.", no_args_is_help=True)
block_app = typer.Typer(help="Blocks of a template.", no_args_is_help=True)
app.add_typer(block_app, name="block")


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name"),
    description: str | None = typer.Option(None, "--description"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create an empty template."""
    with station(ctx) as s:
        view = s.templates.create_template(name, description)
    if as_json:
        render.emit_json(view)
    else:
        render.done(f"template {view['name']!r} added")


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """List templates."""
    with station(ctx) as s:
        views = s.templates.list_templates()
    if as_json:
        render.emit_json(views)
        return
    rows = [{**v, "blocks": len(v["blocks"])} for v in views]
    render.table(rows, ("name", "description", "blocks"))


@app.command("show")
def show(ctx: typer.Context, name: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Show a template and its blocks."""
    with station(ctx) as s:
        view = s.templates.get_template(name)
    if as_json:
        render.emit_json(view)
        return
    render.record(view, skip=("blocks",))
    _blocks_table(view["blocks"])


@app.command("remove")
def remove(ctx: typer.Context, name: str) -> None:
    """Remove a template that no broadcast day uses."""
    with station(ctx) as s:
        s.templates.remove_template(name)
    render.done(f"template {name!r} removed")


def _rule_from(rule: str | None, rule_file: Path | None, tags: str | None, order: str) -> Any:
    given = [x for x in (rule, rule_file, tags) if x is not None]
    if len(given) != 1:
        raise ValidationError("give exactly one of --rule, --rule-file or --tags", "rule")
    if tags is not None:
        return {"tags": parse_tags(tags), "order": order}
    if rule is not None:
        return parse_json(rule)
    try:
        with Path(str(rule_file)).open("rb") as handle:
            # Enough to tell a rule from something far too long; never the whole of /dev/zero.
            raw = handle.read(4 * MAX_JSON_CHARS + 1)
    except OSError as error:
        raise ValidationError(f"cannot read rule file {rule_file}: {error.strerror}") from None
    return parse_json(raw, f"rule file {rule_file}")


@block_app.command("add")
def block_add(
    ctx: typer.Context,
    template: str = typer.Option(..., "--template"),
    start: str = typer.Option(..., "--start", help="HH:MM local."),
    end: str = typer.Option(..., "--end", help="HH:MM local; equal to --start for all day."),
    rule: str | None = typer.Option(None, "--rule", help="rule_json v1 as JSON."),
    rule_file: Path | None = typer.Option(None, "--rule-file"),
    tags: str | None = typer.Option(None, "--tags", help="Shorthand: rule of these tags."),
    order: str = typer.Option("sequential", "--order", help="With --tags."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a block whose rule picks what fills it."""
    parsed = _rule_from(rule, rule_file, tags, order)
    with station(ctx) as s:
        view = s.templates.add_block(
            template, parse_clock(start, "start"), parse_clock(end, "end"), parsed
        )
    if as_json:
        render.emit_json(view)
    else:
        render.done(f"block {view['start']}-{view['end']} added to {template!r}")


@block_app.command("list")
def block_list(
    ctx: typer.Context, template: str, as_json: bool = typer.Option(False, "--json")
) -> None:
    """List a template's blocks."""
    with station(ctx) as s:
        blocks = s.templates.get_template(template)["blocks"]
    if as_json:
        render.emit_json(blocks)
    else:
        _blocks_table(blocks)


@block_app.command("remove")
def block_remove(
    ctx: typer.Context,
    template: str = typer.Option(..., "--template"),
    start: str = typer.Option(..., "--start"),
) -> None:
    """Remove the block starting at --start."""
    with station(ctx) as s:
        s.templates.remove_block(template, parse_clock(start, "start"))
    render.done(f"block at {start} removed from {template!r}")


def _blocks_table(blocks: list[dict[str, Any]]) -> None:
    rows = [
        {
            "start": b["start"],
            "end": b["end"],
            "kind": b["rule"]["kind"],
            "tags": b["rule"]["tags"],
            "order": b["rule"]["order"],
            "breaks": b["rule"]["breaks"],
        }
        for b in blocks
    ]
    render.table(rows, ("start", "end", "kind", "tags", "order", "breaks"))
