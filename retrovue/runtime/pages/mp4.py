"""`/iptv/channel/{n}.mp4`: one viewer of the shared channel stream, remuxed for a browser."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Final

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from retrovue.runtime.channel_manager import ChannelManager
from retrovue.runtime.fanout import Viewer
from retrovue.runtime.pages.remux import Mp4Output, RemuxStopped, TsInput, remux
from retrovue.runtime.web import end_body, until_disconnect

log = logging.getLogger(__name__)

OUTPUT_LIMIT: Final = 64  # MP4 writes waiting for the client; a fragment is many writes
SINK_TIMEOUT_S: Final = 5.0
JOIN_TIMEOUT_S: Final = 5.0


class _Remuxer:
    """The remux thread of one viewer and the queue its MP4 bytes come out of."""

    def __init__(self, loop: asyncio.AbstractEventLoop, label: str) -> None:
        self.source = TsInput()
        self.bytes: asyncio.Queue[bytes | None] = asyncio.Queue(OUTPUT_LIMIT)
        self._loop = loop
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"mp4 {label}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _sink(self, data: bytes) -> None:
        if self._stopping.is_set():
            raise RemuxStopped
        future = asyncio.run_coroutine_threadsafe(self.bytes.put(data), self._loop)
        try:
            future.result(SINK_TIMEOUT_S)
        except TimeoutError:
            future.cancel()
            raise RemuxStopped from None  # the client stopped reading

    def _run(self) -> None:
        try:
            remux(self.source, Mp4Output(self._sink))
        except RemuxStopped:
            pass
        except Exception:
            if not self._stopping.is_set():
                log.exception("%s: the MP4 remux failed", self._thread.name)
        finally:
            if not self._stopping.is_set():
                self._loop.call_soon_threadsafe(self._finish)

    def _finish(self) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self.bytes.put_nowait(None)

    async def stop(self) -> None:
        """End the input, then wait for the thread (it never outlives the response)."""
        self._stopping.set()
        self.source.end()
        while not self.bytes.empty():  # unblock a write waiting for room
            self.bytes.get_nowait()
        await asyncio.to_thread(self._thread.join, JOIN_TIMEOUT_S)


class Mp4Stream(Response):
    """A live fragmented MP4 of one channel, tied to its client like the .ts stream."""

    media_type = "video/mp4"

    def __init__(self, manager: ChannelManager) -> None:
        super().__init__(media_type=self.media_type)
        self.raw_headers = [(b"content-type", b"video/mp4"), (b"cache-control", b"no-store")]
        self._manager = manager

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        label = str(self._manager.channel.number)
        remuxer = _Remuxer(asyncio.get_running_loop(), label)

        async def body(viewer: Viewer) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            remuxer.start()
            try:
                async with anyio.create_task_group() as group:

                    async def feed() -> None:
                        async for data in viewer.chunks():
                            if not remuxer.source.feed(data):
                                break  # the remux fell behind: drop this viewer
                        group.cancel_scope.cancel()

                    async def deliver() -> None:
                        with contextlib.suppress(OSError):
                            while (data := await remuxer.bytes.get()) is not None:
                                await send(
                                    {"type": "http.response.body", "body": data, "more_body": True}
                                )
                        group.cancel_scope.cancel()

                    group.start_soon(feed)
                    group.start_soon(deliver)
                    group.start_soon(until_disconnect, receive, group.cancel_scope)
            finally:
                await remuxer.stop()
            await end_body(send)

        await self._manager.serve(body)
