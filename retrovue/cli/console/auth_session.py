"""The guard on every route: a signed-in session for pages, that and a CSRF token for forms."""

from __future__ import annotations

import functools
import hmac
import inspect
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from retrovue.cli.console.forms import Form

SESSION_KEY: Final = "operator"
CSRF_KEY: Final = "csrf"
MAX_UPLOAD_BYTES: Final = 1024 * 1024  # one part of a form (a logo); the body beyond is refused

Endpoint = Callable[[Request], Awaitable[Response]]


def signed_in(request: Request) -> bool:
    return bool(request.session.get(SESSION_KEY))


def csrf_token(request: Request) -> str:
    """This session's CSRF token, made on first use (the sign-in form carries one too)."""
    token = request.session.get(CSRF_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(24)
        request.session[CSRF_KEY] = token
    return token


def csrf_ok(request: Request, given: object) -> bool:
    expected = request.session.get(CSRF_KEY)
    return (
        isinstance(expected, str)
        and isinstance(given, str)
        and bool(expected)
        and hmac.compare_digest(expected.encode(), given.encode())
    )


def open_session(request: Request) -> None:
    """Signed in: a fresh CSRF token, so one seen before sign-in is worth nothing after."""
    request.session.clear()
    request.session[SESSION_KEY] = True
    request.session[CSRF_KEY] = secrets.token_urlsafe(24)


async def call(handler: Callable[..., Any], *args: Any) -> Response:
    """Run a handler: a coroutine awaited, a plain function (database work) in a thread."""
    if inspect.iscoroutinefunction(handler):
        result: Response = await handler(*args)
        return result
    done: Response = await run_in_threadpool(handler, *args)
    return done


async def read_form(request: Request) -> FormData:
    return await request.form(max_files=2, max_fields=400, max_part_size=MAX_UPLOAD_BYTES)


def page(handler: Callable[[Request], Any]) -> Endpoint:
    """A page: signed-in sessions see it, others are sent to sign in and brought back."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        if not signed_in(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            signin = request.url_for("signin").include_query_params(next=target)
            return RedirectResponse(str(signin), status_code=303)
        return await call(handler, request)

    return endpoint


def action(handler: Callable[[Request, Form], Any]) -> Endpoint:
    """A form that changes something: 401 unless signed in, 403 without this session's token."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        if not signed_in(request):
            return PlainTextResponse("sign in first", status_code=401)
        return await checked(request, handler)

    return endpoint


async def checked(request: Request, handler: Callable[[Request, Form], Any]) -> Response:
    """Read the form, refuse it without the session's CSRF token, then run `handler`."""
    form = await read_form(request)
    if not csrf_ok(request, form.get(CSRF_KEY)):
        return PlainTextResponse(
            "the form's security token is missing or stale: reload the page and try again",
            status_code=403,
        )
    return await call(handler, request, Form.of(form))


def get(path: str, endpoint: Endpoint, name: str) -> Route:
    return Route(path, endpoint, methods=["GET"], name=name)


def post(path: str, endpoint: Endpoint, name: str) -> Route:
    return Route(path, endpoint, methods=["POST"], name=name)
