"""Starting and stopping the discovery responders (HDHomeRun UDP and SSDP) beside the station."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from dataclasses import dataclass, field

from retrovue.runtime.clients.context import ClientConfig
from retrovue.runtime.clients.ssdp import SSDP_PORT, serve_ssdp
from retrovue.runtime.clients.udp_discovery import DISCOVER_PORT, serve_discovery

log = logging.getLogger(__name__)


def discovery_by_default(listen_host: str) -> bool:
    """Discovery is on by default only when the station listens beyond loopback."""
    if listen_host in ("", "0.0.0.0", "::", "[::]"):
        return True
    if listen_host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(listen_host.strip("[]")).is_loopback
    except ValueError:
        return True  # a host name: assume it is reachable from the network


@dataclass
class DiscoveryServers:
    """The running responders; `close()` stops them all."""

    transports: list[asyncio.DatagramTransport] = field(default_factory=list)

    def close(self) -> None:
        for transport in self.transports:
            transport.close()
        self.transports.clear()


async def start_discovery(
    config: ClientConfig,
    *,
    udp: bool = True,
    ssdp: bool = True,
    udp_port: int = DISCOVER_PORT,
    ssdp_port: int = SSDP_PORT,
    bind_host: str | None = None,
) -> DiscoveryServers:
    """Start the enabled responders; one that cannot bind is logged and skipped, not fatal."""
    host = bind_host if bind_host is not None else _bind_host(config.listen_host)
    servers = DiscoveryServers()
    if udp:
        try:
            servers.transports.append(
                await serve_discovery(
                    config.device_id,
                    config.tuner_count,
                    config.advertised_base,
                    host=host,
                    port=udp_port,
                )
            )
            log.info("HDHomeRun discovery listening on udp %s:%d", host, udp_port)
        except OSError as error:
            log.warning("HDHomeRun discovery disabled: udp %s:%d: %s", host, udp_port, error)
    if ssdp:
        try:
            servers.transports.append(
                await serve_ssdp(
                    config.device_id, config.advertised_base, host=host, port=ssdp_port
                )
            )
            log.info("SSDP responder listening on udp %s:%d", host, ssdp_port)
        except OSError as error:
            log.warning("SSDP responder disabled: udp %s:%d: %s", host, ssdp_port, error)
    return servers


def _bind_host(listen_host: str) -> str:
    # Broadcast and multicast requests arrive on the wildcard address only.
    return "0.0.0.0" if discovery_by_default(listen_host) else listen_host
