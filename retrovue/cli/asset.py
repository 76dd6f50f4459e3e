"""`retrovue asset ...` and `retrovue catalog ...`: the broadcast catalog."""

from __future__ import annotations

from typing import Any

import typer

from retrovue.cli import render
from retrovue.cli.context import station
from retrovue.infra.admin_services.parsing import parse_duration_ms, parse_tags
from retrovue.schedule_manager.schedule_service import ScheduleService

asset_app = typer.Typer(
    help="Add catalog assets directly (not through the library).", no_args_is_help=True
)
catalog_app = typer.Typer(help="The broadcast catalog: what may air.", no_args_is_help=True)

COLUMNS = ("id", "title", "kind", "duration", "tags", "canonical", "available", "rendition")


def _rows(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**v, "duration": _clock(v["duration_ms"]), "rendition": _rendition_cell(v["rendition"])}
        for v in views
    ]


def _rendition_cell(rendition: dict[str, Any] | None) -> str:
    if rendition is None:
        return "-"
    if rendition["state"] != "ready":
        return str(rendition["state"])
    return f"ready {rendition['bytes'] / 1024**2:.1f}M"


def _clock(ms: int) -> str:
    seconds = ms / 1000
    return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{seconds % 60:06.3f}"


def _rendition(state: tuple[str, int] | None) -> dict[str, Any] | None:
    return None if state is None else {"state": state[0], "bytes": state[1]}


@asset_app.command("add")
def add(
    ctx: typer.Context,
    title: str = typer.Option(..., "--title"),
    duration: str | None = typer.Option(
        None, "--duration", help="Seconds or HH:MM:SS (default: the file's)."
    ),
    path: str = typer.Option(..., "--path", help="The media file (probed; it must play)."),
    tags: str | None = typer.Option(None, "--tags"),
    kind: str = typer.Option("program", "--kind"),
    canonical: bool = typer.Option(
        False, "--canonical/--no-canonical", help="Cleared for air (default: not yet)."
    ),
    series: str | None = typer.Option(None, "--series"),
    season: int | None = typer.Option(None, "--season"),
    episode: int | None = typer.Option(None, "--episode"),
    rating: str | None = typer.Option(None, "--rating", help="TV-Y ... TV-MA, G ... NC-17."),
    description: str | None = typer.Option(None, "--description"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add an asset to the catalog."""
    with station(ctx) as s:
        view = s.assets.add_asset(
            title,
            None if duration is None else parse_duration_ms(duration),
            path,
            tags=parse_tags(tags),
            kind=kind,
            canonical=canonical,
            series=series,
            season=season,
            episode=episode,
            rating=rating,
            description=description,
        )
    if as_json:
        render.emit_json(view)
    else:
        render.done(f"asset {view['id']} {view['title']!r} added")


def _update(
    ctx: typer.Context,
    asset_id: int,
    as_json: bool,
    **changes: Any,
) -> None:
    with station(ctx) as s:
        view = s.assets.update_asset(asset_id, **changes)
    if as_json:
        render.emit_json(view)
    else:
        render.done(f"asset {asset_id} updated")


@asset_app.command("update")
def update(
    ctx: typer.Context,
    asset_id: int,
    title: str | None = typer.Option(None, "--title"),
    duration: str | None = typer.Option(None, "--duration"),
    path: str | None = typer.Option(None, "--path"),
    tags: str | None = typer.Option(None, "--tags"),
    kind: str | None = typer.Option(None, "--kind"),
    canonical: bool | None = typer.Option(None, "--canonical/--no-canonical"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Change a catalog asset."""
    _update(
        ctx,
        asset_id,
        as_json,
        title=title,
        duration_ms=None if duration is None else parse_duration_ms(duration),
        file_path=path,
        tags=None if tags is None else parse_tags(tags),
        kind=kind,
        canonical=canonical,
    )


@asset_app.command("list")
@catalog_app.command("list")
def list_assets(
    ctx: typer.Context,
    canonical_only: bool = typer.Option(False, "--canonical-only", help="Only what may air."),
    tag: str | None = typer.Option(None, "--tag"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List the catalog."""
    with station(ctx) as s:
        views = s.assets.list_assets(canonical_only=canonical_only, tag=tag)
        renditions = ScheduleService(s.db).rendition_states()
    # A prepared rendition's state: ready (with its size), failed, or stale (made from a file
    # other than the one approved); None when there is none.
    views = [{**v, "rendition": _rendition(renditions.get(v["id"]))} for v in views]
    if as_json:
        render.emit_json(views)
    else:
        render.table(_rows(views), COLUMNS)


@catalog_app.command("show")
def catalog_show(
    ctx: typer.Context, asset_id: int, as_json: bool = typer.Option(False, "--json")
) -> None:
    """Show one catalog asset."""
    with station(ctx) as s:
        view = s.assets.get_asset(asset_id)
    render.show(view, as_json)


@catalog_app.command("update")
def catalog_update(
    ctx: typer.Context,
    asset_id: int,
    canonical: bool | None = typer.Option(None, "--canonical/--no-canonical"),
    tags: str | None = typer.Option(None, "--tags"),
    title: str | None = typer.Option(None, "--title"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Approve or withdraw an asset for air, retag or retitle it."""
    _update(
        ctx,
        asset_id,
        as_json,
        canonical=canonical,
        tags=None if tags is None else parse_tags(tags),
        title=title,
    )
