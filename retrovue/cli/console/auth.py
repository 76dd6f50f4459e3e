"""Sign-in and sign-out: a password or token opens a signed session cookie."""

from __future__ import annotations

import asyncio
from typing import Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from retrovue.cli.console.auth_session import action, checked, open_session, signed_in
from retrovue.cli.console.forms import Form, Problem
from retrovue.cli.console.rendering import render
from retrovue.cli.console.state import state_of

FAILED_SIGNIN_DELAY_S: Final = 0.5  # slows guessing; an operator who mistypes barely notices


def _next(raw: str | None) -> str:
    """Only a path of this console (never another site) to return to after sign-in."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/"


def signin_page(request: Request) -> Response:
    if signed_in(request):
        return RedirectResponse(_next(request.query_params.get("next")), status_code=303)
    return render(request, "signin.html", next=_next(request.query_params.get("next")))


async def signin(request: Request) -> Response:
    async def attempt(request: Request, form: Form) -> Response:
        target = _next(form.text("next"))
        if state_of(request).settings.credentials.accepts(form.raw("password")):
            open_session(request)
            return RedirectResponse(target, status_code=303)
        await asyncio.sleep(FAILED_SIGNIN_DELAY_S)
        wrong = "wrong password or token"
        problem = Problem(wrong, "password", 401, {"password": wrong})
        return render(request, "signin.html", problem=problem, next=target)

    return await checked(request, attempt)


@action
def signout(request: Request, form: Form) -> Response:
    request.session.clear()
    return RedirectResponse(request.url_for("signin").path, status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/signin", signin_page, methods=["GET"], name="signin"),
        Route("/signin", signin, methods=["POST"], name="signin_post"),
        Route("/signout", signout, methods=["POST"], name="signout"),
    ]
