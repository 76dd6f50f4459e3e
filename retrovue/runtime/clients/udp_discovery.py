"""The HDHomeRun discovery protocol on UDP 65001: answer `hdhomerun_config discover` and Plex.

A frame is a big-endian type and payload length, a payload of tag-length-value fields, and a
CRC-32 (the Ethernet one) of everything before it, sent little-endian. Requests whose CRC does
not match are dropped, as a real device does.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final, cast

from retrovue.errors import FrameError

log = logging.getLogger(__name__)

DISCOVER_PORT: Final = 65001
TYPE_DISCOVER_REQUEST: Final = 0x0002
TYPE_DISCOVER_REPLY: Final = 0x0003
TAG_DEVICE_TYPE: Final = 0x01
TAG_DEVICE_ID: Final = 0x02
TAG_TUNER_COUNT: Final = 0x10
TAG_LINEUP_URL: Final = 0x27
TAG_BASE_URL: Final = 0x2A
DEVICE_TYPE_TUNER: Final = 0x00000001
WILDCARD: Final = 0xFFFFFFFF
MAX_LENGTH: Final = 0x7FFF  # a two-byte length carries 15 bits


@dataclass(frozen=True)
class Frame:
    kind: int
    tags: tuple[tuple[int, bytes], ...]

    def value(self, tag: int) -> bytes | None:
        return next((value for key, value in self.tags if key == tag), None)


def _encode_length(length: int) -> bytes:
    if length > MAX_LENGTH:
        raise FrameError(f"value of {length} bytes is too long for a TLV field")
    if length <= 0x7F:
        return bytes([length])
    return bytes([(length & 0x7F) | 0x80, length >> 7])


def encode_frame(kind: int, tags: list[tuple[int, bytes]]) -> bytes:
    payload = b"".join(bytes([tag]) + _encode_length(len(value)) + value for tag, value in tags)
    body = struct.pack(">HH", kind, len(payload)) + payload
    return body + struct.pack("<I", zlib.crc32(body))


def _iter_tags(payload: bytes) -> Iterator[tuple[int, bytes]]:
    position = 0
    while position < len(payload):
        if position + 2 > len(payload):
            raise FrameError("truncated TLV header")
        tag, length = payload[position], payload[position + 1]
        position += 2
        if length & 0x80:
            if position >= len(payload):
                raise FrameError("truncated TLV length")
            length = (length & 0x7F) | (payload[position] << 7)
            position += 1
        if position + length > len(payload):
            raise FrameError("TLV value runs past the payload")
        yield tag, payload[position : position + length]
        position += length


def decode_frame(datagram: bytes) -> Frame:
    """Parse and CRC-check one datagram."""
    if len(datagram) < 8:
        raise FrameError("datagram shorter than a frame")
    kind, length = struct.unpack_from(">HH", datagram)
    if len(datagram) != 4 + length + 4:
        raise FrameError("payload length does not match the datagram")
    body, (crc,) = datagram[:-4], struct.unpack("<I", datagram[-4:])
    if zlib.crc32(body) != crc:
        raise FrameError("bad CRC")
    return Frame(kind, tuple(_iter_tags(body[4:])))


def _u32(value: bytes | None) -> int:
    return WILDCARD if value is None or len(value) != 4 else int.from_bytes(value, "big")


def discover_reply(
    request: bytes, *, device_id: str, tuner_count: int, base_url: str
) -> bytes | None:
    """The reply to a discover request, or None when it is not for us (or not valid)."""
    try:
        frame = decode_frame(request)
    except FrameError as error:
        log.debug("dropped discovery datagram: %s", error)
        return None
    if frame.kind != TYPE_DISCOVER_REQUEST:
        return None
    ours = int(device_id, 16)
    if _u32(frame.value(TAG_DEVICE_TYPE)) not in (WILDCARD, DEVICE_TYPE_TUNER):
        return None
    if _u32(frame.value(TAG_DEVICE_ID)) not in (WILDCARD, ours):
        return None
    return encode_frame(
        TYPE_DISCOVER_REPLY,
        [
            (TAG_DEVICE_TYPE, DEVICE_TYPE_TUNER.to_bytes(4, "big")),
            (TAG_DEVICE_ID, ours.to_bytes(4, "big")),
            (TAG_TUNER_COUNT, bytes([min(tuner_count, 255)])),
            (TAG_BASE_URL, base_url.encode()),
            (TAG_LINEUP_URL, f"{base_url}/lineup.json".encode()),
        ],
    )


class DiscoveryProtocol(asyncio.DatagramProtocol):
    """Answers discover requests; `base_for` gives the base URL to advertise to a peer."""

    def __init__(self, device_id: str, tuner_count: int, base_for: Callable[[str], str]) -> None:
        self.device_id = device_id
        self.tuner_count = tuner_count
        self.base_for = base_for
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # The selector loop's datagram transport does not subclass DatagramTransport.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        peer = str(addr[0])
        reply = discover_reply(
            data,
            device_id=self.device_id,
            tuner_count=self.tuner_count,
            base_url=self.base_for(peer),
        )
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


async def serve_discovery(
    device_id: str,
    tuner_count: int,
    base_for: Callable[[str], str],
    *,
    host: str = "0.0.0.0",
    port: int = DISCOVER_PORT,
) -> asyncio.DatagramTransport:
    """Listen for discover requests (broadcast included) until the transport is closed."""
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: DiscoveryProtocol(device_id, tuner_count, base_for),
        local_addr=(host, port),
        allow_broadcast=True,
    )
    return transport
