"""Discovery on real sockets: Debian's hdhomerun_config finds us, an SSDP search gets device.xml."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hdhomerun_tool import IN_CI, need_tool
from hdhomerun_tool import STATION_DEVICE_ID as DEVICE_ID

from retrovue.runtime.clients import ClientConfig, DiscoveryServers, start_discovery
from retrovue.runtime.clients.discovery import discovery_by_default
from retrovue.runtime.clients.ssdp import MEDIA_SERVER


class LoopThread:
    """An event loop in a thread, for servers that must run while a test blocks on a client."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def loop_thread() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.stop()


def _start(loop_thread: LoopThread, **kwargs: Any) -> DiscoveryServers:
    config = ClientConfig(device_id=DEVICE_ID, listen_host="127.0.0.1", listen_port=18420)
    servers: DiscoveryServers = loop_thread.run(
        start_discovery(config, bind_host="127.0.0.1", **kwargs)
    )
    return servers


async def _close(servers: DiscoveryServers) -> None:
    servers.close()
    await asyncio.sleep(0.05)  # let the transports finish closing on their loop


def test_hdhomerun_config_discover_finds_the_station_on_loopback(loop_thread: LoopThread) -> None:
    tool = need_tool("hdhomerun_config")
    # The tool always targets port 65001; a station already on it would answer instead.
    servers = _start(loop_thread, ssdp=False)
    if not servers.transports:
        if IN_CI:
            pytest.fail("udp 127.0.0.1:65001 is taken under CI; the discovery test cannot run")
        pytest.skip("udp 127.0.0.1:65001 is taken on this machine")
    try:
        result = subprocess.run(
            [tool, "discover", "127.0.0.1"],
            capture_output=True,
            text=True,
            timeout=20,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    finally:
        loop_thread.run(_close(servers))
    assert result.returncode == 0, result.stdout + result.stderr
    assert DEVICE_ID in result.stdout
    assert "127.0.0.1" in result.stdout


def test_an_ssdp_search_on_loopback_gets_our_device_xml_location(loop_thread: LoopThread) -> None:
    port = free_udp_port()
    servers = _start(loop_thread, udp=False, ssdp_port=port)
    assert len(servers.transports) == 1
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as searcher:
            searcher.settimeout(5)
            search = (
                "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                f'MAN: "ssdp:discover"\r\nMX: 1\r\nST: {MEDIA_SERVER}\r\n\r\n'
            )
            searcher.sendto(search.encode(), ("127.0.0.1", port))
            answer = searcher.recv(2048).decode()
    finally:
        loop_thread.run(_close(servers))
    assert answer.startswith("HTTP/1.1 200 OK")
    assert "LOCATION: http://127.0.0.1:18420/device.xml\r\n" in answer
    assert f"ST: {MEDIA_SERVER}\r\n" in answer


def test_discovery_is_on_by_default_only_beyond_loopback() -> None:
    assert discovery_by_default("0.0.0.0")
    assert discovery_by_default("192.168.1.20")
    assert not discovery_by_default("127.0.0.1")
    assert not discovery_by_default("::1")
    assert not discovery_by_default("localhost")
