"""`retrovue source ...`: library sources, their path mappings, and syncing them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from retrovue.cli import render
from retrovue.cli.context import station
from retrovue.domain.sync import SyncCounts
from retrovue.errors import ValidationError
from retrovue.infra.admin_services.parsing import parse_tags

app = typer.Typer(
    help="Library sources: folders on disk, Plex, Jellyfin and Emby servers.", no_args_is_help=True
)
SERVERS = ("plex", "jellyfin", "emby")

COLUMNS = ("name", "type", "kind", "tags", "paths", "url", "items")


@app.command("add")
def add(
    ctx: typer.Context,
    type_: str = typer.Option(..., "--type", help="filesystem, plex, jellyfin or emby."),
    name: str = typer.Option(..., "--name"),
    path: list[str] = typer.Option([], "--path", help="A root folder (repeatable)."),
    kind: str = typer.Option(
        "program", "--kind", help="program|commercial|promo|bumper|station_id"
    ),
    tags: str | None = typer.Option(None, "--tags", help="Tags every item carries: a,b."),
    url: str | None = typer.Option(None, "--url", help="Media server address."),
    token: str | None = typer.Option(None, "--token", help="Plex X-Plex-Token."),
    api_key: str | None = typer.Option(None, "--api-key", help="Jellyfin or Emby API key."),
    library: list[str] = typer.Option(
        [], "--library", help="Server library name (repeatable; default: every video library)."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a folder source, or a Plex, Jellyfin or Emby server's libraries."""
    if type_ == "filesystem" and (url or token or api_key or library):
        raise ValidationError("--url, --token, --api-key and --library are for servers", "type")
    if type_ in SERVERS and path:
        raise ValidationError("--path is for filesystem sources (use --library)", "type")
    if type_ == "plex" and api_key:
        raise ValidationError("a Plex source takes --token, not --api-key", "api-key")
    if type_ in ("jellyfin", "emby") and token:
        raise ValidationError("Jellyfin and Emby sources take --api-key, not --token", "token")
    with station(ctx) as s:
        view = s.library.add_source(
            name,
            type_,
            paths=path,
            kind=kind,
            tags=parse_tags(tags),
            url=url,
            token=token if type_ == "plex" else api_key,
            libraries=library,
        )
    if as_json:
        render.emit_json(view)
    else:
        render.done(f"source {view['name']!r} added ({view['type']})")


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """List sources."""
    with station(ctx) as s:
        render.show(s.library.list_sources(), as_json, COLUMNS)


@app.command("show")
def show(ctx: typer.Context, name: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Show one source, its mappings and its items by state."""
    with station(ctx) as s:
        render.show(s.library.get_source(name), as_json)


@app.command("remove")
def remove(ctx: typer.Context, name: str) -> None:
    """Forget a source and its library items (promoted catalog rows stay)."""
    with station(ctx) as s:
        s.library.remove_source(name)
    render.done(f"source {name!r} removed")


@app.command("map-path")
def map_path(
    ctx: typer.Context,
    name: str,
    from_path: str = typer.Option(..., "--from", help="Prefix as the source reports it."),
    to_path: str = typer.Option(..., "--to", help="Where RetroVue finds it locally."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Map a source path prefix to a local one (longest prefix wins)."""
    with station(ctx) as s:
        view = s.library.map_path(name, from_path, to_path)
    if as_json:
        render.emit_json(view)
    else:
        render.done(f"source {name!r}: {from_path} -> {to_path}")


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Any]:
    # Only a terminal gets the bar: a script's stderr keeps to the one-line error, if any.
    if not enabled or not render.err.is_terminal:
        yield None
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("seen {task.fields[seen]} probed {task.fields[probed]}"),
        TextColumn("skipped {task.fields[skipped]} failed {task.fields[failed]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=render.err, transient=False) as bar:
        task = bar.add_task("sync", total=None, seen=0, probed=0, skipped=0, failed=0)

        def update(counts: SyncCounts) -> None:
            bar.update(
                task,
                total=counts.to_probe or None,
                completed=counts.probed + counts.failed,
                seen=counts.seen,
                probed=counts.probed,
                skipped=counts.skipped,
                failed=counts.failed,
            )

        yield update


@app.command("sync")
def sync(
    ctx: typer.Context,
    name: str,
    dry_run: bool = typer.Option(False, "--dry-run", help="Do the work, then write nothing."),
    as_json: bool = typer.Option(False, "--json"),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Discover, probe, enrich and QC a source's media."""
    with station(ctx) as s, _progress_bar(not (quiet or as_json)) as progress:
        report = s.library.sync(name, dry_run=dry_run, progress=progress)
    if as_json:
        render.emit_json(report)
        return
    prefix = "dry run, nothing written: " if dry_run else ""
    render.done(
        f"{prefix}{name}: {report['seen']} seen, {report['probed']} probed, "
        f"{report['skipped']} unchanged, {report['failed']} failed, {report['added']} new, "
        f"{report['updated']} updated, {report['vanished']} gone, {report['returned']} back"
    )
    for failure in report["failures"]:
        render.warn(failure["error"])
    for root in report["missing_roots"]:
        render.warn(f"folder not found, its items left as they were: {root}")
    for path in report["unreadable"]:
        render.warn(f"could not read, its items left as they were: {path}")
    if report["refreshed"]:
        render.warn(f"{report['refreshed']} catalog asset(s) refreshed from changed files")
    if report["withdrawn"]:
        render.warn(f"{report['withdrawn']} catalog asset(s) withdrawn: their files are gone")
