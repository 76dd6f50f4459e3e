"""Fan-out of one channel's bytes to every viewer, each with a bounded backlog of its own."""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import AsyncIterator, Callable

from retrovue.runtime.muxer import Chunk

VIEWER_LAG_S = 4.0  # a viewer whose oldest unsent bytes are older than this is dropped
VIEWER_MAX_BYTES = 16 * 1024 * 1024  # and whatever the age, no viewer holds more than this

Monotonic = Callable[[], float]


class Viewer:
    """One client's view of the stream; `chunks()` ends when the viewer was dropped.

    The backlog holds references to the channel's shared byte strings, so a viewer costs its
    queue entries, not a copy of the stream. A viewer that falls `max_lag_s` behind is dropped
    on the next offer: it can never hold the channel (or anyone else) back.
    """

    def __init__(
        self,
        max_lag_s: float = VIEWER_LAG_S,
        max_bytes: int = VIEWER_MAX_BYTES,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        self._backlog: collections.deque[tuple[float, bytes]] = collections.deque()
        self._bytes = 0
        self._wake = asyncio.Event()
        self._max_lag_s = max_lag_s
        self._max_bytes = max_bytes
        self._monotonic = monotonic
        self.dropped = False
        self.on_lag: Callable[[], None] | None = None  # called once when dropped for lagging

    @property
    def backlog_bytes(self) -> int:
        return self._bytes

    def lag_s(self) -> float:
        """How long the oldest unsent bytes have waited (0 when nothing waits)."""
        if not self._backlog:
            return 0.0
        return self._monotonic() - self._backlog[0][0]

    def offer(self, data: bytes) -> bool:
        """Queue `data`; False (and the viewer is dropped) when it is too far behind."""
        if self.dropped:
            return False
        if self.lag_s() > self._max_lag_s or self._bytes + len(data) > self._max_bytes:
            self.drop()
            return False
        self._backlog.append((self._monotonic(), data))
        self._bytes += len(data)
        self._wake.set()
        return True

    def drop(self) -> None:
        self.dropped = True
        self._backlog.clear()
        self._bytes = 0
        self._wake.set()

    def take(self) -> bytes:
        """Everything waiting, as one string (one socket write however far behind)."""
        data = b"".join(part for _, part in self._backlog)
        self._backlog.clear()
        self._bytes = 0
        return data

    async def chunks(self) -> AsyncIterator[bytes]:
        while not self.dropped:
            if not self._backlog:
                self._wake.clear()
                await self._wake.wait()
                continue
            yield self.take()


class Fanout:
    """Keeps the current GOP so a new viewer starts on a keyframe at once."""

    def __init__(
        self, max_lag_s: float = VIEWER_LAG_S, monotonic: Monotonic = time.monotonic
    ) -> None:
        self._viewers: set[Viewer] = set()
        self._gop: list[bytes] = []
        self._max_lag_s = max_lag_s
        self._monotonic = monotonic
        self.dropped_viewers = 0

    def __len__(self) -> int:
        return len(self._viewers)

    def subscribe(self) -> Viewer:
        viewer = Viewer(self._max_lag_s, monotonic=self._monotonic)
        for data in self._gop:
            viewer.offer(data)
        self._viewers.add(viewer)
        return viewer

    def unsubscribe(self, viewer: Viewer) -> None:
        self._viewers.discard(viewer)

    def publish(self, chunks: list[Chunk]) -> None:
        for chunk in chunks:
            if chunk.keyframe_pts is not None:
                self._gop = []
            if self._gop or chunk.keyframe_pts is not None:
                self._gop.append(chunk.data)
        data = b"".join(chunk.data for chunk in chunks)
        if not data:
            return
        for viewer in list(self._viewers):
            if not viewer.offer(data):
                self._viewers.discard(viewer)
                self.dropped_viewers += 1
                if viewer.on_lag is not None:
                    viewer.on_lag()

    def close(self) -> None:
        """End every viewer's stream (the channel stopped)."""
        for viewer in list(self._viewers):
            viewer.drop()
        self._viewers.clear()
        self._gop = []
