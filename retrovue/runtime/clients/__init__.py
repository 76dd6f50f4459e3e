"""The doors clients come through: M3U, XMLTV, HDHomeRun emulation, discovery and the JSON API.

The station entry builds `ClientDoors.build(...)`, mounts its `routes` and runs
`start_discovery()` beside the HTTP server.
"""

from __future__ import annotations

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
from retrovue.runtime.clients.doors import ClientDoors, client_routes
from retrovue.runtime.clients.xmltv import GuideCache

__all__ = [
    "ClientConfig",
    "ClientContext",
    "ClientDoors",
    "DiscoveryServers",
    "GuideCache",
    "ScheduleReader",
    "client_routes",
    "discovery_by_default",
    "start_discovery",
]
