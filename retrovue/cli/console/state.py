"""What every console request shares: settings, the opened station, pages, jobs, the client."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.templating import Jinja2Templates

from retrovue.cli.console.posters import PosterStore
from retrovue.cli.console.settings import ConsoleSettings
from retrovue.cli.console.station_client import StationClient
from retrovue.cli.console.sync_jobs import SyncJobs
from retrovue.infra.bootstrap import Station


@dataclass(frozen=True)
class ConsoleState:
    settings: ConsoleSettings
    station: Station
    client: StationClient
    pages: Jinja2Templates
    jobs: SyncJobs
    posters: PosterStore


def state_of(request: Request) -> ConsoleState:
    found: ConsoleState = request.app.state.console
    return found
