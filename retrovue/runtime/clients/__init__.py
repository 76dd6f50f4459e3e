"""The doors clients come through: M3U, XMLTV, HDHomeRun emulation, discovery and the JSON API.

The station entry builds one `ClientContext` and mounts `client_routes(...)`; discovery runs
beside the HTTP server through `start_discovery(...)`.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from retrovue.runtime.clients.api import api_routes
from retrovue.runtime.clients.context import (
    ClientConfig,
    ClientContext,
    ScheduleReader,
    playlog_token,
    read_device_id,
)
from retrovue.runtime.clients.discovery import (
    DiscoveryServers,
    discovery_by_default,
    start_discovery,
)
from retrovue.runtime.clients.hdhomerun import hdhomerun_routes
from retrovue.runtime.clients.m3u import m3u_routes
from retrovue.runtime.clients.xmltv import GuideCache, Renderer, xmltv_routes

__all__ = [
    "ClientConfig",
    "ClientContext",
    "DiscoveryServers",
    "GuideCache",
    "ScheduleReader",
    "client_routes",
    "discovery_by_default",
    "read_device_id",
    "start_discovery",
]


def client_routes(ctx: ClientContext, render_guide: Renderer) -> list[BaseRoute]:
    """Every client-facing route; `render_guide(start, end)` is the schedule manager's XMLTV."""
    guide = GuideCache(
        render_guide,
        lambda: (playlog_token(ctx.schedule.db), tuple(ctx.schedule.list_channels())),
        ctx.clock,
    )
    return [
        *m3u_routes(ctx),
        *xmltv_routes(guide),
        *hdhomerun_routes(ctx),
        *api_routes(ctx),
    ]
