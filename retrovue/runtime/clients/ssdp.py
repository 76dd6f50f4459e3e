"""An SSDP responder: M-SEARCH for our device types is answered with device.xml's location."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import socket
import struct
from collections.abc import Callable
from typing import Final, cast

from retrovue.runtime.clients.hdhomerun import device_uuid

log = logging.getLogger(__name__)

SSDP_GROUP: Final = "239.255.255.250"
SSDP_PORT: Final = 1900
MEDIA_SERVER: Final = "urn:schemas-upnp-org:device:MediaServer:1"
ROOT_DEVICE: Final = "upnp:rootdevice"
SERVER: Final = "Linux/1.0 UPnP/1.0 RetroVue/0.1"


def parse_msearch(datagram: bytes) -> dict[str, str] | None:
    """The headers of an M-SEARCH request (names upper-cased), or None for anything else."""
    try:
        text = datagram.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.split("\r\n")
    if not lines or lines[0].split(" ")[0].upper() != "M-SEARCH":
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().upper()] = value.strip()
    if headers.get("MAN", "").strip('"') != "ssdp:discover":
        return None
    return headers


def search_targets(requested: str, udn: str) -> list[str]:
    """Which of our notification types answer a search target (ssdp:all answers each)."""
    ours = [ROOT_DEVICE, f"uuid:{udn}", MEDIA_SERVER]
    if requested == "ssdp:all":
        return ours
    return [requested] if requested in ours else []


def search_response(target: str, udn: str, location: str) -> bytes:
    usn = f"uuid:{udn}" if target == f"uuid:{udn}" else f"uuid:{udn}::{target}"
    lines = [
        "HTTP/1.1 200 OK",
        "CACHE-CONTROL: max-age=1800",
        f"DATE: {email.utils.formatdate(usegmt=True)}",
        "EXT:",
        f"LOCATION: {location}",
        f"SERVER: {SERVER}",
        f"ST: {target}",
        f"USN: {usn}",
        "",
        "",
    ]
    return "\r\n".join(lines).encode()


class SsdpProtocol(asyncio.DatagramProtocol):
    """Answers M-SEARCH unicast to the searcher; `base_for` gives our base URL for a peer."""

    def __init__(self, device_id: str, base_for: Callable[[str], str]) -> None:
        self.udn = device_uuid(device_id)
        self.base_for = base_for
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # The selector loop's datagram transport does not subclass DatagramTransport.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        headers = parse_msearch(data)
        if headers is None or self.transport is None:
            return
        targets = search_targets(headers.get("ST", ""), self.udn)
        if not targets:
            return
        location = f"{self.base_for(str(addr[0]))}/device.xml"
        for target in targets:
            self.transport.sendto(search_response(target, self.udn, location), addr)


def _join_group(sock: socket.socket) -> None:
    membership = struct.pack("4s4s", socket.inet_aton(SSDP_GROUP), socket.inet_aton("0.0.0.0"))
    try:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    except OSError as error:
        # No multicast route (a container, loopback only): unicast searches still work.
        log.warning("SSDP: could not join %s (%s); answering unicast only", SSDP_GROUP, error)


async def serve_ssdp(
    device_id: str,
    base_for: Callable[[str], str],
    *,
    host: str = "0.0.0.0",
    port: int = SSDP_PORT,
) -> asyncio.DatagramTransport:
    """Listen for M-SEARCH on `host:port`, joined to the SSDP group when bound to all hosts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        # Other UPnP stacks on this machine (a media server) often hold 1900 too.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        if host in ("", "0.0.0.0"):
            _join_group(sock)
    except OSError:
        sock.close()
        raise
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: SsdpProtocol(device_id, base_for), sock=sock
    )
    return transport
