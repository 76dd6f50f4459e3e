"""The broadcast catalog: search and filter, edit guide fields, withdraw from air and restore."""

from __future__ import annotations

import math
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from retrovue.cli.console import operations as ops
from retrovue.cli.console.auth_session import action, get, page, post
from retrovue.cli.console.forms import Form, Problem
from retrovue.cli.console.rendering import done, render
from retrovue.cli.console.state import state_of
from retrovue.errors import RetroVueError
from retrovue.infra.admin_services.parsing import parse_tags
from retrovue.infra.catalog_search import CatalogQuery
from retrovue.schedule_manager.models import ASSET_KINDS

PAGE_SIZE: Final = 50
FIELDS: Final = (
    "title", "tags", "kind", "series", "season", "episode", "episode_title",
    "description", "rating", "year",
)  # fmt: skip
TRI: Final = ("any", "yes", "no")


def _tri(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


@page
def list_page(request: Request) -> Response:
    given = request.query_params
    filters = {
        "q": given.get("q", "").strip(),
        "kind": given.get("kind", "") if given.get("kind") in ASSET_KINDS else "",
        "tag": given.get("tag", "").strip().lower(),
        "series": given.get("series", "").strip(),
        "canonical": given.get("canonical") if given.get("canonical") in TRI else "any",
        "available": given.get("available") if given.get("available") in TRI else "any",
    }
    query = CatalogQuery(
        text=filters["q"] or None,
        kind=filters["kind"] or None,
        tag=filters["tag"] or None,
        series=filters["series"] or None,
        canonical=_tri(filters["canonical"]),
        available=_tri(filters["available"]),
    )
    try:
        number = max(1, int(given.get("page", "1")))
    except ValueError:
        number = 1
    s = state_of(request).station
    found = ops.search_catalog(s, query, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    pages = max(1, math.ceil(found.total / PAGE_SIZE))
    if number > pages:
        number = pages
        found = ops.search_catalog(s, query, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    return render(
        request,
        "catalog/list.html",
        assets=found.rows,
        total=found.total,
        page=number,
        pages=pages,
        values=filters,
        kinds=ASSET_KINDS,
        series_names=found.series,
    )


def _asset_id(request: Request) -> int:
    asset_id: int = request.path_params["asset_id"]
    return asset_id


def _values(asset: dict[str, Any]) -> dict[str, str]:
    values = {k: "" if asset.get(k) is None else str(asset[k]) for k in FIELDS}
    return values | {"tags": ", ".join(asset["tags"])}


@page
def edit_page(request: Request) -> Response:
    asset = ops.get_asset(state_of(request).station, _asset_id(request))
    return render(
        request, "catalog/edit.html", asset=asset, values=_values(asset), kinds=ASSET_KINDS
    )


@action
def update(request: Request, form: Form) -> Response:
    s = state_of(request).station
    asset = ops.get_asset(s, _asset_id(request))
    try:
        changes: dict[str, Any] = {
            "title": form.text("title"),
            "tags": parse_tags(form.text("tags")),
            "kind": form.choice("kind", ASSET_KINDS, asset["kind"]),
            "series": form.text("series"),
            "season": form.optional_integer("season"),
            "episode": form.optional_integer("episode"),
            "episode_title": form.text("episode_title"),
            "description": form.text("description"),
            "rating": form.text("rating"),
            "year": form.optional_integer("year"),
        }
        current = _values(asset)
        changed = {k: v for k, v in changes.items() if form.text(k) != current[k]}
        ops.update_asset(s, asset["id"], **changed)
    except RetroVueError as error:
        return render(
            request,
            "catalog/edit.html",
            problem=Problem.of(error, FIELDS),
            values=form.values(),
            asset=asset,
            kinds=ASSET_KINDS,
        )
    return done(request, f"asset {asset['id']} updated", "catalog_asset", asset_id=asset["id"])


def _confirm(request: Request, withdraw: bool) -> Response:
    asset = ops.get_asset(state_of(request).station, _asset_id(request))
    return render(request, "catalog/confirm.html", asset=asset, withdraw=withdraw)


@page
def withdraw_page(request: Request) -> Response:
    return _confirm(request, True)


@page
def restore_page(request: Request) -> Response:
    return _confirm(request, False)


def _set_canonical(request: Request, canonical: bool) -> Response:
    s = state_of(request).station
    asset = ops.get_asset(s, _asset_id(request))
    try:
        ops.update_asset(s, asset["id"], canonical=canonical)
    except RetroVueError as error:
        return render(
            request, "catalog/confirm.html", problem=Problem.of(error, ()), asset=asset,
            withdraw=not canonical,
        )  # fmt: skip
    what = "restored to air" if canonical else "withdrawn from air"
    return done(request, f"asset {asset['id']} {asset['title']!r} {what}", "catalog_asset",
                asset_id=asset["id"])  # fmt: skip


@action
def withdraw(request: Request, form: Form) -> Response:
    return _set_canonical(request, False)


@action
def restore(request: Request, form: Form) -> Response:
    return _set_canonical(request, True)


def routes() -> list[BaseRoute]:
    return [
        get("/catalog", list_page, "catalog"),
        get("/catalog/{asset_id:int}", edit_page, "catalog_asset"),
        post("/catalog/{asset_id:int}", update, "catalog_update"),
        get("/catalog/{asset_id:int}/withdraw", withdraw_page, "catalog_withdraw_page"),
        post("/catalog/{asset_id:int}/withdraw", withdraw, "catalog_withdraw"),
        get("/catalog/{asset_id:int}/restore", restore_page, "catalog_restore_page"),
        post("/catalog/{asset_id:int}/restore", restore, "catalog_restore"),
    ]
