"""Library: sources and path mappings, sync with live progress, review with poster frames."""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from retrovue.cli.console import operations as ops
from retrovue.cli.console.auth_session import action, get, page, post
from retrovue.cli.console.forms import Form, Problem
from retrovue.cli.console.rendering import done, render
from retrovue.cli.console.review import PROMOTE_FIELDS, promoted
from retrovue.cli.console.review import routes as review_routes
from retrovue.cli.console.state import ConsoleState, state_of
from retrovue.cli.console.sync_jobs import SyncJob
from retrovue.domain.models import ITEM_KINDS, SOURCE_TYPES
from retrovue.errors import NotFoundError, RetroVueError, ValidationError
from retrovue.infra.admin_services.parsing import parse_tags

SOURCE_FIELDS: Final = ("type", "name", "path", "kind", "tags", "url", "token", "library")
MAP_FIELDS: Final = ("from", "to")


def _source(request: Request) -> dict[str, Any]:
    return ops.source_by_id(state_of(request).station, request.path_params["source_id"])


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _index(
    request: Request, problem: Problem | None = None, values: dict[str, str] | None = None
) -> Response:
    sources = ops.list_sources(state_of(request).station)
    return render(
        request, "library/index.html", problem=problem,
        values=values or {"type": "filesystem", "kind": "program"},
        sources=sources, types=SOURCE_TYPES, kinds=ITEM_KINDS,
    )  # fmt: skip


@page
def index(request: Request) -> Response:
    return _index(request)


@action
def add_source(request: Request, form: Form) -> Response:
    try:
        type_ = form.choice("type", SOURCE_TYPES)
        paths, libraries = _lines(form.raw("path")), _lines(form.raw("library"))
        url, token = form.optional("url"), form.optional("token")
        if type_ == "filesystem" and (url or token or libraries):
            raise ValidationError("--url, --token and --library are for Plex sources", "url")
        if type_ == "plex" and paths:
            raise ValidationError("--path is for filesystem sources (use --library)", "path")
        view = ops.add_source(
            state_of(request).station, form.text("name"), type_, paths=paths,
            kind=form.choice("kind", ITEM_KINDS, "program"), tags=parse_tags(form.text("tags")),
            url=url, token=token, libraries=libraries,
        )  # fmt: skip
    except RetroVueError as error:
        if "already exists" in str(error):
            error = ValidationError(str(error), "name")
        return _index(request, Problem.of(error, SOURCE_FIELDS), form.values())
    return done(request, f"source {view['name']!r} added ({view['type']})", "library_source",
                source_id=view["id"])  # fmt: skip


def _source_page(
    request: Request,
    source: dict[str, Any],
    problem: Problem | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    state = state_of(request)
    job = state.jobs.get(source["name"])
    return render(
        request, "library/source.html", problem=problem, values=values or {"canonical": "on"},
        source=source, job=job.to_json() if job else None, kinds=ITEM_KINDS,
        series=sorted({i["series"] for i in ops.list_items(state.station, source["name"])
                       if i["series"]}),
    )  # fmt: skip


@page
def source_page(request: Request) -> Response:
    return _source_page(request, _source(request))


@action
def map_path(request: Request, form: Form) -> Response:
    source = _source(request)
    try:
        from_path, to_path = form.text("from"), form.text("to")
        ops.map_path(state_of(request).station, source["name"], from_path, to_path)
    except RetroVueError as error:
        return _source_page(request, source, Problem.of(error, MAP_FIELDS), form.values())
    return done(request, f"source {source['name']!r}: {from_path} -> {to_path}",
                "library_source", source_id=source["id"])  # fmt: skip


def summary(name: str, report: dict[str, Any]) -> str:
    """The sync's one line, as `retrovue source sync` prints it."""
    return (
        f"{name}: {report['seen']} seen, {report['probed']} probed, "
        f"{report['skipped']} unchanged, {report['failed']} failed, {report['added']} new, "
        f"{report['updated']} updated, {report['vanished']} gone, {report['returned']} back"
    )


def _start_sync(state: ConsoleState, name: str) -> SyncJob:
    def work(job: SyncJob) -> dict[str, Any]:
        return ops.sync(state.station, name, progress=job.update)

    def posters(job: SyncJob) -> None:
        state.posters.make_missing(ops.list_items(state.station, name))

    return state.jobs.start(name, work, posters)


@action
def sync(request: Request, form: Form) -> Response:
    source = _source(request)
    _start_sync(state_of(request), source["name"])
    return done(request, f"sync of {source['name']!r} started", "library_source",
                source_id=source["id"])  # fmt: skip


@page
def sync_status(request: Request) -> Response:
    source = _source(request)
    job = state_of(request).jobs.get(source["name"])
    if job is None:
        raise NotFoundError("sync of source", repr(source["name"]))
    body = job.to_json()
    if job.report is not None:
        body["summary"] = summary(source["name"], job.report)
    return JSONResponse(body)


@page
def remove_page(request: Request) -> Response:
    return render(request, "library/remove.html", source=_source(request))


@action
def remove(request: Request, form: Form) -> Response:
    source = _source(request)
    ops.remove_source(state_of(request).station, source["name"])
    return done(request, f"source {source['name']!r} removed", "library")


@action
def promote_many(request: Request, form: Form) -> Response:
    """A series or a whole source, like `assets promote --source NAME [--series S]`."""
    s = state_of(request).station
    source = ops.source_by_id(s, form.integer("source_id"))
    canonical = form.checked("canonical")
    try:
        views = ops.promote(
            s, source=source["name"], series=form.optional("series"),
            approved_only=form.checked("approved"), tags=parse_tags(form.text("tags")),
            kind=form.optional("kind"), canonical=canonical,
        )  # fmt: skip
    except RetroVueError as error:
        return _source_page(request, source, Problem.of(error, PROMOTE_FIELDS), form.values())
    return done(request, promoted(views, canonical), "library_source",
                source_id=source["id"])  # fmt: skip


def routes() -> list[BaseRoute]:
    return [
        get("/library", index, "library"),
        post("/library/sources", add_source, "library_source_add"),
        get("/library/sources/{source_id:int}", source_page, "library_source"),
        post("/library/sources/{source_id:int}/map", map_path, "library_map"),
        post("/library/sources/{source_id:int}/sync", sync, "library_sync"),
        get("/library/sources/{source_id:int}/sync.json", sync_status, "library_sync_status"),
        get("/library/sources/{source_id:int}/remove", remove_page, "library_remove_page"),
        post("/library/sources/{source_id:int}/remove", remove, "library_remove"),
        post("/library/promote", promote_many, "library_promote"),
        *review_routes(),
    ]
