"""A real Kodi for the functional tests: its own HOME, IPTV Simple pointed at the station's M3U,
a virtual display and a paced silent sound card, driven over JSON-RPC (TCP)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ADVANCED = """<advancedsettings version="1.0">
  <jsonrpc><tcpport>{port}</tcpport></jsonrpc>
</advancedsettings>
"""
# The TCP JSON-RPC server is on by default (loopback only). Audio output "Fixed" at 48 kHz
# keeps the one sound device open across tunes, as a box with a sound card would; reopening
# the stand-in sound server per stream costs about a second that is none of the station's.
GUI = """<settings version="2">
  <setting id="general.addonupdates">2</setting>
  <setting id="general.addonnotifications">false</setting>
  <setting id="audiooutput.config">1</setting>
  <setting id="audiooutput.samplerate">48000</setting>
</settings>
"""
IPTV_SIMPLE = """<settings version="2">
  <setting id="kodi_addon_instance_name">RetroVue</setting>
  <setting id="kodi_addon_instance_enabled">true</setting>
  <setting id="m3uPathType">{m3u_kind}</setting>
  <setting id="m3uPath">{m3u_path}</setting>
  <setting id="m3uUrl">{m3u_url}</setting>
  <setting id="m3uCache">false</setting>
  <setting id="epgPathType">1</setting>
  <setting id="epgUrl">{xmltv}</setting>
  <setting id="epgCache">false</setting>
  <setting id="timeshiftEnabled">false</setting>
</settings>
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_profile(home: Path, station: str, rpc_port: int, m3u_file: Path | None) -> None:
    """Kodi's settings; IPTV Simple reads `m3u_file` when given, else the station's M3U."""
    userdata = home / ".kodi" / "userdata"
    addon = userdata / "addon_data" / "pvr.iptvsimple"
    addon.mkdir(parents=True)
    (userdata / "advancedsettings.xml").write_text(ADVANCED.format(port=rpc_port))
    (userdata / "guisettings.xml").write_text(GUI)
    settings = IPTV_SIMPLE.format(
        m3u_kind=0 if m3u_file else 1,  # 0: a local path, 1: a remote URL
        m3u_path=escape(str(m3u_file or "")),
        m3u_url=escape(f"{station}/iptv/channels.m3u"),
        xmltv=escape(f"{station}/iptv/xmltv.xml"),
    )
    # IPTV Simple for Kodi 20 reads its first instance's file; the plain one is its fallback.
    for name in ("instance-settings-1.xml", "settings.xml"):
        (addon / name).write_text(settings)


class JsonRpc:
    """Kodi's JSON-RPC over TCP: requests, and the notifications Kodi pushes between them."""

    def __init__(self, port: int) -> None:
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self._buffer = ""
        self._decoder = json.JSONDecoder()
        self._next_id = 0
        self.notifications: list[tuple[float, str, dict[str, Any]]] = []

    def close(self) -> None:
        self._sock.close()

    def _messages(self, timeout: float) -> Iterator[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            self._buffer = self._buffer.lstrip()
            try:
                message, end = self._decoder.raw_decode(self._buffer)
            except ValueError:
                message, end = None, 0  # not a whole message yet
            if message is None:
                self._receive(deadline)
                continue
            self._buffer = self._buffer[end:]
            if "method" in message and "id" not in message:
                self.notifications.append((time.monotonic(), message["method"], message))
            yield message

    def _receive(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer from Kodi")
        self._sock.settimeout(left)
        data = self._sock.recv(65536)
        if not data:
            raise ConnectionError("Kodi closed JSON-RPC")
        self._buffer += data.decode("utf-8", "replace")

    def call(self, method: str, timeout: float = 10.0, **params: Any) -> Any:
        self._next_id += 1
        ask = {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}
        self._sock.sendall(json.dumps(ask).encode())
        for message in self._messages(timeout):
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
        raise AssertionError("unreachable")

    def wait_for(self, method: str, timeout: float) -> float:
        """When notification `method` came (monotonic), waiting up to `timeout` for it."""
        for at, name, _ in self.notifications:
            if name == method:
                return at
        for message in self._messages(timeout):
            if message.get("method") == method:
                return self.notifications[-1][0]
        raise AssertionError("unreachable")


@contextlib.contextmanager
def running_kodi(
    work: Path, station: str, tools: dict[str, str], m3u_file: Path | None = None
) -> Iterator[JsonRpc]:
    """Kodi (and its silent sound server) for the duration; both reaped afterwards."""
    home = work / "home"
    runtime = work / "run"
    runtime.mkdir(mode=0o700, parents=True)
    rpc_port = free_port()
    write_profile(home, station, rpc_port, m3u_file)
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime)}
    socket_path = runtime / "sound.socket"
    env["PULSE_SERVER"] = f"unix:{socket_path}"
    started: list[subprocess.Popen[bytes]] = []
    with (work / "pulse.log").open("wb") as pulse_log, (work / "kodi.log").open("wb") as log:
        try:
            # A null sink clocks the audio like a sound card would: Kodi's A/V sync needs one.
            started.append(subprocess.Popen(
                [tools["pulseaudio"], "--daemonize=no", "--exit-idle-time=-1", "-n",
                 "--load=module-null-sink",
                 f"--load=module-native-protocol-unix socket={socket_path} auth-anonymous=1"],
                env=env, stdout=pulse_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            ))  # fmt: skip
            deadline = time.monotonic() + 20
            while not socket_path.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            started.append(subprocess.Popen(
                [tools["xvfb-run"], "-a", "-s", "-screen 0 1280x720x24",
                 tools["kodi"], "--standalone", "--audio-backend=pulseaudio"],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            ))  # fmt: skip
            rpc = connect(rpc_port, started[-1], timeout=90)
            try:
                yield rpc
            finally:
                rpc.close()
        finally:
            for process in reversed(started):
                stop_group(process)


def connect(port: int, kodi: subprocess.Popen[bytes], timeout: float) -> JsonRpc:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if kodi.poll() is not None:
            raise RuntimeError(f"Kodi exited with {kodi.returncode}")
        try:
            rpc = JsonRpc(port)
            if rpc.call("JSONRPC.Ping", timeout=5) == "pong":
                return rpc
            rpc.close()
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError("Kodi's JSON-RPC did not come up")


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """End the process group we started (xvfb-run, Xvfb and Kodi; or pulseaudio)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # whatever of the group outlived its leader
