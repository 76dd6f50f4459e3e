"""Library review: the queue with poster frames, approve or reject with notes, promote."""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute

from retrovue.cli.console import operations as ops
from retrovue.cli.console.auth_session import action, get, page, post
from retrovue.cli.console.forms import Form, Problem
from retrovue.cli.console.rendering import done, render
from retrovue.cli.console.state import state_of
from retrovue.domain.models import STATES
from retrovue.errors import NotFoundError, RetroVueError, ValidationError
from retrovue.infra.admin_services.parsing import parse_tags
from retrovue.schedule_manager.models import ASSET_KINDS

PROMOTE_FIELDS: Final = ("title", "tags", "kind", "canonical", "source", "series", "approved")
REVIEW_FIELDS: Final = ("notes", "decision")
QUEUE_LIMIT: Final = 120
PENDING: Final = "pending"  # discovered or flagged: what no operator has decided yet


def _item_id(request: Request) -> int:
    item_id: int = request.path_params["item_id"]
    return item_id


@page
def queue(request: Request) -> Response:
    s = state_of(request).station
    status = request.query_params.get("status", PENDING)
    source = request.query_params.get("source") or None
    if status not in ("", PENDING, *STATES):
        raise ValidationError(f"status must be one of {', '.join(STATES)}", "status")
    if status == PENDING:
        waiting = [
            *ops.list_items(s, source, "discovered"),
            *ops.list_items(s, source, "needs_review"),
        ]
        items = sorted(waiting, key=lambda i: int(i["id"]))
    else:
        items = ops.list_items(s, source, status or None)
    posters = state_of(request).posters
    return render(
        request, "library/review.html",
        items=[{**i, "poster": posters.has(i)} for i in items[:QUEUE_LIMIT]],
        total=len(items), limit=QUEUE_LIMIT,
        states=[(PENDING, "awaiting review"), *((x, x.replace("_", " ")) for x in STATES)],
        sources=[v["name"] for v in ops.list_sources(s)],
        values={"status": status, "source": source or ""},
    )  # fmt: skip


def _item_page(
    request: Request, item: dict[str, Any], problem: Problem | None = None,
    values: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    return render(
        request, "library/item.html", problem=problem,
        values=values or {"canonical": "on", "title": item["title"] or ""},
        item=item, poster=state_of(request).posters.has(item), kinds=ASSET_KINDS,
    )  # fmt: skip


@page
def item_page(request: Request) -> Response:
    return _item_page(request, ops.get_item(state_of(request).station, _item_id(request)))


@action
def review(request: Request, form: Form) -> Response:
    s = state_of(request).station
    item_id = _item_id(request)
    try:
        decision = form.choice("decision", ("approve", "reject"))
        view = ops.review_item(s, item_id, decision == "approve", form.optional("notes"))
    except RetroVueError as error:
        if isinstance(error, NotFoundError):
            raise
        return _item_page(request, ops.get_item(s, item_id), Problem.of(error, REVIEW_FIELDS),
                          form.values())  # fmt: skip
    back = form.text("back")
    request.session["flash"] = f"library item {item_id} {view['state']}"
    return _back(request, back, item_id)


def _back(request: Request, back: str, item_id: int) -> Response:
    if back.startswith("/library/review"):
        return RedirectResponse(back, status_code=303)
    return RedirectResponse(request.url_for("library_item", item_id=item_id).path, 303)


def promoted(views: list[dict[str, Any]], canonical: bool) -> str:
    """The line `retrovue assets promote` prints."""
    state = "canonical" if canonical else "staged (non-canonical)"
    return f"{len(views)} item(s) promoted, {state}"


@action
def promote_item(request: Request, form: Form) -> Response:
    s = state_of(request).station
    item_id = _item_id(request)
    canonical = form.checked("canonical")
    try:
        views = ops.promote(
            s, [item_id], title=form.optional("title"), tags=parse_tags(form.text("tags")),
            kind=form.optional("kind"), canonical=canonical,
        )  # fmt: skip
    except RetroVueError as error:
        if isinstance(error, NotFoundError):
            raise
        return _item_page(request, ops.get_item(s, item_id), Problem.of(error, PROMOTE_FIELDS),
                          form.values())  # fmt: skip
    return done(request, promoted(views, canonical), "catalog_asset",
                asset_id=views[0]["id"])  # fmt: skip


@page
def poster(request: Request) -> Response:
    state = state_of(request)
    item = ops.get_item(state.station, _item_id(request))
    path = state.posters.path(item)
    if not path.is_file():
        raise NotFoundError("poster frame of library item", item["id"])
    return FileResponse(
        path, media_type="image/jpeg", headers={"cache-control": "private, max-age=3600"}
    )


def routes() -> list[BaseRoute]:
    return [
        get("/library/review", queue, "library_review"),
        get("/library/items/{item_id:int}", item_page, "library_item"),
        post("/library/items/{item_id:int}/review", review, "library_item_review"),
        post("/library/items/{item_id:int}/promote", promote_item, "library_item_promote"),
        get("/library/items/{item_id:int}/poster.jpg", poster, "library_poster"),
    ]
