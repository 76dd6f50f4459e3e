"""Fixtures: a client context on the fake schedule, and an app client for its routes."""

from __future__ import annotations

import datetime as dt

import pytest
from client_fakes import DEVICE_ID, NOW, AppClient, FakeSchedule, station_app

from retrovue.runtime.clients import ClientConfig, ClientContext, client_routes


@pytest.fixture
def schedule() -> FakeSchedule:
    return FakeSchedule()


@pytest.fixture
def context(schedule: FakeSchedule) -> ClientContext:
    return ClientContext(schedule, ClientConfig(device_id=DEVICE_ID, tuner_count=3), lambda: NOW)


@pytest.fixture
def client(context: ClientContext) -> AppClient:
    def render(start: dt.datetime, end: dt.datetime) -> bytes:
        return f"<tv from='{start.isoformat()}' to='{end.isoformat()}'/>".encode()

    routes = [r for r in client_routes(context, render) if "xmltv" not in getattr(r, "path", "")]
    return AppClient(station_app(routes))
