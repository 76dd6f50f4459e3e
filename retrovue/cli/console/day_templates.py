"""Templates: a day editor of blocks on a 24-hour strip, each block's rule as a form and JSON."""

from __future__ import annotations

import json
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from retrovue.cli.console import operations as ops
from retrovue.cli.console.auth_session import action, get, page, post
from retrovue.cli.console.forms import Form, Problem
from retrovue.cli.console.rendering import done, render
from retrovue.cli.console.rule_form import (
    RATINGS,
    RULE_FIELDS,
    RULE_KEYS,
    default_values,
    rule_from,
    rule_values,
)
from retrovue.cli.console.state import state_of
from retrovue.errors import NotFoundError, RetroVueError
from retrovue.infra.admin_services.parsing import parse_clock

DAY: Final = 1440
BLOCK_FIELDS: Final = ("start", "end", *RULE_KEYS)
# Overlap, grid and rollover refusals are about where the block sits: shown at Start.
ALIASES: Final = {"block": "start", "grid": "start", "rollover": "start", "rule": "start"}


def segments(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Where each block sits on the strip, in percent; one crossing midnight is two pieces."""
    placed = []
    for index, block in enumerate(blocks):
        start, end = parse_clock(block["start"]), parse_clock(block["end"])
        pieces = (
            [(0, DAY)]
            if start == end
            else [(start, end)]
            if start < end
            else [(start, DAY), (0, end)]
        )
        for first, last in pieces:
            placed.append(
                {
                    "block": block,
                    "colour": index % 3,
                    "left": 100 * first / DAY,
                    "width": 100 * (last - first) / DAY,
                }
            )
    return placed


def _template_id(request: Request) -> int:
    template_id: int = request.path_params["template_id"]
    return template_id


@page
def list_page(request: Request) -> Response:
    return render(
        request, "templates/list.html", templates=ops.list_templates(state_of(request).station)
    )


@action
def add(request: Request, form: Form) -> Response:
    s = state_of(request).station
    try:
        view = ops.add_template(s, form.text("name"), form.optional("description"))
    except RetroVueError as error:
        return render(
            request, "templates/list.html", problem=Problem.of(error, ("name", "description")),
            values=form.values(), templates=ops.list_templates(s),
        )  # fmt: skip
    return done(request, f"template {view['name']!r} added", "template", template_id=view["id"])


def _editor(
    request: Request,
    template: dict[str, Any],
    problem: Problem | None = None,
    values: dict[str, str] | None = None,
    editing: dict[str, Any] | None = None,
) -> Response:
    if editing is None and values is None:
        chosen = request.query_params.get("block")
        editing = next((b for b in template["blocks"] if b["start"] == chosen), None)
        if chosen is not None and editing is None:
            raise NotFoundError("block", f"starting {chosen} in template {template['name']!r}")
    if values is None:
        if editing is not None:
            values = {
                "start": editing["start"],
                "end": editing["end"],
                **rule_values(editing["rule"]),
            }
        else:
            values = {"start": "", "end": "", **default_values()}
    shown = {k: v for k, v in values.items() if k in RULE_KEYS}
    try:
        preview = json.dumps(rule_from(Form(shown)), indent=2)
    except RetroVueError:
        preview = "{}"
    return render(
        request,
        "templates/editor.html",
        problem=problem,
        values=values,
        template=template,
        editing=editing,
        segments=segments(template["blocks"]),
        rule_fields=RULE_FIELDS,
        ratings=RATINGS,
        preview=preview,
    )


@page
def editor(request: Request) -> Response:
    return _editor(request, ops.template_by_id(state_of(request).station, _template_id(request)))


@action
def add_block(request: Request, form: Form) -> Response:
    s = state_of(request).station
    template = ops.template_by_id(s, _template_id(request))
    try:
        start, end = parse_clock(form.text("start"), "start"), parse_clock(form.text("end"), "end")
        block = ops.add_block(s, template["name"], start, end, rule_from(form))
    except RetroVueError as error:
        problem = Problem.of(error, BLOCK_FIELDS, ALIASES)
        return _editor(request, template, problem, form.values())
    return done(
        request, f"block {block['start']}-{block['end']} added to {template['name']!r}",
        "template", template_id=template["id"],
    )  # fmt: skip


def _block(template: dict[str, Any], start: str) -> dict[str, Any]:
    found: dict[str, Any] | None = next(
        (b for b in template["blocks"] if b["start"] == start), None
    )
    if found is None:
        raise NotFoundError("block", f"starting {start} in template {template['name']!r}")
    return found


@action
def edit_block(request: Request, form: Form) -> Response:
    s = state_of(request).station
    template = ops.template_by_id(s, _template_id(request))
    old = _block(template, form.text("old_start"))
    try:
        start, end = parse_clock(form.text("start"), "start"), parse_clock(form.text("end"), "end")
        rule = rule_from(form)
        block = ops.replace_block(
            s, template["name"], parse_clock(old["start"]), old, start, end, rule
        )
    except RetroVueError as error:
        problem = Problem.of(error, BLOCK_FIELDS, ALIASES)
        return _editor(request, template, problem, form.values(), editing=old)
    return done(
        request, f"block {block['start']}-{block['end']} of {template['name']!r} saved",
        "template", template_id=template["id"],
    )  # fmt: skip


@action
def remove_block(request: Request, form: Form) -> Response:
    s = state_of(request).station
    template = ops.template_by_id(s, _template_id(request))
    start = _block(template, form.text("start"))["start"]
    ops.remove_block(s, template["name"], parse_clock(start))
    return done(
        request, f"block at {start} removed from {template['name']!r}",
        "template", template_id=template["id"],
    )  # fmt: skip


@page
def remove_page(request: Request) -> Response:
    template = ops.template_by_id(state_of(request).station, _template_id(request))
    return render(request, "templates/remove.html", template=template)


@action
def remove(request: Request, form: Form) -> Response:
    s = state_of(request).station
    template = ops.template_by_id(s, _template_id(request))
    try:
        ops.remove_template(s, template["name"])
    except RetroVueError as error:
        return render(
            request, "templates/remove.html", problem=Problem.of(error, ()), template=template
        )
    return done(request, f"template {template['name']!r} removed", "templates")


def routes() -> list[BaseRoute]:
    return [
        get("/templates", list_page, "templates"),
        post("/templates", add, "template_add"),
        get("/templates/{template_id:int}", editor, "template"),
        post("/templates/{template_id:int}/blocks", add_block, "block_add"),
        post("/templates/{template_id:int}/blocks/edit", edit_block, "block_edit"),
        post("/templates/{template_id:int}/blocks/remove", remove_block, "block_remove"),
        get("/templates/{template_id:int}/remove", remove_page, "template_remove_page"),
        post("/templates/{template_id:int}/remove", remove, "template_remove"),
    ]
