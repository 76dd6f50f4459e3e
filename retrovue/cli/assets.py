"""`retrovue assets ...`: library items: list, show, review, promote into the catalog."""

from __future__ import annotations

from typing import Any

import typer

from retrovue.cli import render
from retrovue.cli.context import station
from retrovue.errors import ValidationError
from retrovue.infra.admin_services.parsing import parse_tags

app = typer.Typer(
    help="Library items: review what came in, promote what may air.", no_args_is_help=True
)

COLUMNS = ("id", "source", "state", "kind", "series", "season", "episode", "title", "duration")


def _rows(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def seconds(ms: int | None) -> str:
        return "" if ms is None else f"{ms / 1000:.3f}s"

    return [{**v, "duration": seconds(v["duration_ms"])} for v in views]


@app.command("list")
def list_(
    ctx: typer.Context,
    source: str | None = typer.Option(None, "--source"),
    status: str | None = typer.Option(
        None, "--status", help="discovered|needs_review|approved|rejected|promoted"
    ),
    series: str | None = typer.Option(None, "--series"),
    deleted: bool = typer.Option(False, "--deleted", help="Include items whose file is gone."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List library items."""
    with station(ctx) as s:
        views = s.library.list_items(source, status, series, include_deleted=deleted)
    if as_json:
        render.emit_json(views)
    else:
        render.table(_rows(views), COLUMNS)


@app.command("show")
def show(ctx: typer.Context, item_id: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """Show one library item: metadata, probe, markers, reviews."""
    with station(ctx) as s:
        view = s.library.get_item(item_id)
    render.show(view, as_json)


@app.command("review")
def review(
    ctx: typer.Context,
    item_id: int,
    approve: bool = typer.Option(False, "--approve"),
    reject: bool = typer.Option(False, "--reject"),
    notes: str | None = typer.Option(None, "--notes"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Approve or reject a library item."""
    if approve == reject:
        raise ValidationError("give exactly one of --approve or --reject", "review")
    with station(ctx) as s:
        view = s.library.review_item(item_id, approve, notes)
    if as_json:
        render.emit_json(view)
    else:
        render.done(f"library item {item_id} {view['state']}")


@app.command("promote")
def promote(
    ctx: typer.Context,
    item_ids: list[int] = typer.Argument(None, help="Library item ids."),
    source: str | None = typer.Option(None, "--source", help="Promote from this source."),
    series: str | None = typer.Option(None, "--series", help="Only this series."),
    approved: bool = typer.Option(False, "--approved", help="Only approved items."),
    title: str | None = typer.Option(None, "--title", help="Guide title (one item)."),
    tags: str | None = typer.Option(None, "--tags", help="Extra tags: a,b."),
    kind: str | None = typer.Option(None, "--kind"),
    canonical: bool | None = typer.Option(
        None,
        "--canonical/--no-canonical",
        help="Cleared for air, or not. Without either a new row is canonical and a row already"
        " promoted keeps its status.",
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Promote library items into the broadcast catalog."""
    ids = list(item_ids or [])
    if bool(ids) == bool(source):
        raise ValidationError("give item ids or --source, not both and not neither", "source")
    with station(ctx) as s:
        views = s.promotion.promote(
            ids,
            source=source,
            series=series,
            approved_only=approved,
            title=title,
            tags=parse_tags(tags),
            kind=kind,
            canonical=canonical,
        )
    if as_json:
        render.emit_json(views)
        return
    cleared = sum(1 for v in views if v["canonical"])
    render.done(
        f"{len(views)} item(s) promoted: {cleared} canonical, {len(views) - cleared} staged"
        " (non-canonical)"
    )
    render.table(views, ("id", "title", "episode_title", "kind", "duration_ms", "file_path"))
