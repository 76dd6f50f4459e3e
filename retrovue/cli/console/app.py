"""The console's ASGI app: routes of every concern, the session, the error pages."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from retrovue.cli.console import auth, catalog, channels, day_templates, library, live, schedule
from retrovue.cli.console.auth_session import page
from retrovue.cli.console.forms import Problem
from retrovue.cli.console.posters import PosterStore
from retrovue.cli.console.rendering import build_pages, render
from retrovue.cli.console.settings import ConsoleSettings
from retrovue.cli.console.state import ConsoleState
from retrovue.cli.console.station_client import StationClient
from retrovue.cli.console.sync_jobs import SyncJobs
from retrovue.cli.console.timing import ServerTiming
from retrovue.errors import DatabaseError, NotFoundError, RetroVueError
from retrovue.infra.bootstrap import Station, open_station

STATIC = Path(__file__).parent / "static"
SESSION_HOURS = 12


@page
def home(request: Request) -> Response:
    return RedirectResponse(request.url_for("live").path, status_code=303)


def _error_page(request: Request, error: Exception) -> Response:
    if isinstance(error, HTTPException):
        problem = Problem(error.detail, None, error.status_code)
    else:
        assert isinstance(error, RetroVueError)
        status = (
            404
            if isinstance(error, NotFoundError)
            else 503
            if isinstance(error, DatabaseError)
            else 400
        )
        problem = Problem(" ".join(str(error).split()), None, status)
    return render(request, "error.html", problem=problem)


def console_routes() -> list[BaseRoute]:
    return [
        Route("/", home, methods=["GET"], name="home"),
        *auth.routes(),
        *live.routes(),
        *channels.routes(),
        *catalog.routes(),
        *day_templates.routes(),
        *schedule.routes(),
        *library.routes(),
    ]


def create_app(settings: ConsoleSettings, station: Station | None = None) -> Starlette:
    """The console over `station` (opened from the settings' database when not given)."""
    opened = station or open_station(settings.database_url)

    client = StationClient(settings.station_url, settings.admin_token, settings.station_timeout_s)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await client.close()
            if station is None:
                opened.close()

    app = Starlette(
        routes=[*console_routes(), Mount("/static", StaticFiles(directory=STATIC), name="static")],
        middleware=[
            Middleware(ServerTiming),
            Middleware(
                SessionMiddleware,
                secret_key=settings.session_secret,
                session_cookie="retrovue_console",
                max_age=SESSION_HOURS * 3600,
                same_site="strict",
                https_only=False,
            ),
        ],
        exception_handlers={RetroVueError: _error_page, HTTPException: _error_page},
        lifespan=lifespan,
    )
    app.state.console = ConsoleState(
        settings=settings,
        station=opened,
        client=client,
        pages=build_pages(),
        jobs=SyncJobs(),
        posters=PosterStore(settings.files / "posters"),
    )
    return app
