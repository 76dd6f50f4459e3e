"""`retrovue console`: serve the operator console, or `--init` its sign-in token."""

from __future__ import annotations

import dataclasses
import secrets

import typer

from retrovue.cli import render
from retrovue.cli.console.settings import (
    DEFAULT_STATION_URL,
    PASSWORD_ENV,
    ConsoleSettings,
    init_token,
    is_loopback,
    token_file,
)
from retrovue.errors import ValidationError
from retrovue.infra.bootstrap import open_station

READY = "RetroVue console ready"


def console(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8421, "--port", help="Port to listen on."),
    station_url: str = typer.Option(
        DEFAULT_STATION_URL,
        "--station-url",
        envvar="RETROVUE_STATION_URL",
        help="The station whose live status and director the console shows.",
    ),
    init: bool = typer.Option(
        False, "--init", help="Make a new sign-in token, print it once, keep only its hash."
    ),
) -> None:
    """Serve the operator console: the station configured from a browser."""
    if init:
        token = init_token()
        render.done(f"console sign-in token (shown once; its hash is in {token_file()}):")
        print(token)
        return
    if not 1 <= port <= 65535:
        raise ValidationError(f"port must be between 1 and 65535, not {port}", "port")
    settings = ConsoleSettings.build(ctx.obj.get("db") if ctx.obj else None, station_url)
    if not settings.credentials.configured:
        if not is_loopback(host):
            raise ValidationError(
                f"refusing to listen on {host} without a password: set {PASSWORD_ENV} "
                "or run `retrovue console --init`",
                "host",
            )
        run_token = secrets.token_urlsafe(18)
        settings = dataclasses.replace(
            settings, credentials=dataclasses.replace(settings.credentials, run_token=run_token)
        )
        render.done(f"no console password is set: sign in with this run's token {run_token}")
    # The web stack is loaded only here, so every other command starts as fast as before.
    import uvicorn

    from retrovue.cli.console.app import create_app

    station = open_station(settings.database_url)
    try:
        app = create_app(settings, station)
        shown = f"[{host}]" if ":" in host else host
        render.done(f"{READY}: http://{shown}:{port}/ (station {settings.station_url})")
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        station.close()
