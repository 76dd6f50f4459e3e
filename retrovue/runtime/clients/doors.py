"""One call for the station entry: the client routes to mount and the discovery to start."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from starlette.routing import BaseRoute

from retrovue.errors import NotFoundError
from retrovue.runtime.clients.api import api_routes
from retrovue.runtime.clients.context import (
    ClientConfig,
    ClientContext,
    ScheduleReader,
)
from retrovue.runtime.clients.discovery import (
    DiscoveryServers,
    discovery_by_default,
    start_discovery,
)
from retrovue.runtime.clients.hdhomerun import hdhomerun_routes
from retrovue.runtime.clients.m3u import m3u_routes
from retrovue.runtime.clients.ssdp import SSDP_PORT
from retrovue.runtime.clients.udp_discovery import DISCOVER_PORT
from retrovue.runtime.clients.xmltv import GuideCache, Renderer, xmltv_routes

log = logging.getLogger(__name__)
NO_DEVICE = "00000000"


def client_routes(
    ctx: ClientContext, render_guide: Renderer, *, hdhomerun: bool = True
) -> list[BaseRoute]:
    """Every client-facing route; `render_guide(start, end)` is the schedule manager's XMLTV."""
    guide = GuideCache(
        render_guide,
        lambda: (ctx.schedule.guide_token(), tuple(ctx.schedule.list_channels())),
        ctx.clock,
    )
    tuner = hdhomerun_routes(ctx) if hdhomerun else []
    guide_routes = xmltv_routes(guide, ctx.config.request_base)
    return [*m3u_routes(ctx), *guide_routes, *tuner, *api_routes(ctx)]


@dataclass(frozen=True)
class ClientDoors:
    """The client side of a running station: routes for the app, discovery beside it."""

    context: ClientContext
    routes: list[BaseRoute]
    discovery: bool

    @classmethod
    def build(
        cls,
        schedule: ScheduleReader,
        clock: Callable[[], dt.datetime],
        render_guide: Renderer,
        *,
        host: str,
        port: int,
        tuner_count: int,
        public_url: str | None = None,
        discovery: bool | None = None,
        friendly_name: str = "RetroVue",
    ) -> ClientDoors:
        """`discovery=None` turns discovery on exactly when `host` reaches beyond loopback.

        A database without the seeded device id (one emptied by hand) still gets M3U, XMLTV
        and the API; the HDHomeRun emulation stays off rather than invent an id.
        """
        try:
            device_id: str | None = schedule.device_id()
        except NotFoundError as error:
            log.warning("HDHomeRun emulation off: %s (re-create the database to seed it)", error)
            device_id = None
        config = ClientConfig(
            device_id=device_id or NO_DEVICE,
            tuner_count=tuner_count,
            friendly_name=friendly_name,
            public_url=public_url,
            listen_host=host,
            listen_port=port,
        )
        context = ClientContext(schedule, config, clock)
        enabled = discovery_by_default(host) if discovery is None else discovery
        tuner = device_id is not None
        return cls(
            context, client_routes(context, render_guide, hdhomerun=tuner), enabled and tuner
        )

    async def start_discovery(
        self, *, udp_port: int = DISCOVER_PORT, ssdp_port: int = SSDP_PORT
    ) -> DiscoveryServers:
        """Start UDP 65001 and SSDP when enabled (an empty set otherwise); close() stops them."""
        if not self.discovery:
            return DiscoveryServers()
        return await start_discovery(self.context.config, udp_port=udp_port, ssdp_port=ssdp_port)
