"""Fan-out of one channel's bytes to every viewer, each with a bounded queue of its own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from retrovue.runtime.muxer import Chunk

VIEWER_QUEUE_CHUNKS = 400  # about five seconds of stream; a viewer this far behind is dropped


class Viewer:
    """One client's view of the stream; `chunks()` ends when the viewer was dropped."""

    def __init__(self, limit: int) -> None:
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(limit)
        self.dropped = False

    def offer(self, data: bytes) -> bool:
        """Queue `data`; False (and the viewer is dropped) when its queue is full."""
        if self.dropped:
            return False
        try:
            self._queue.put_nowait(data)
            return True
        except asyncio.QueueFull:
            self.drop()
            return False

    def drop(self) -> None:
        self.dropped = True
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(None)

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            data = await self._queue.get()
            if data is None:
                return
            yield data


class Fanout:
    """Keeps the current GOP so a new viewer starts on a keyframe at once."""

    def __init__(self, viewer_limit: int = VIEWER_QUEUE_CHUNKS) -> None:
        self._viewers: set[Viewer] = set()
        self._gop: list[bytes] = []
        self._limit = viewer_limit
        self.dropped_viewers = 0

    def __len__(self) -> int:
        return len(self._viewers)

    def subscribe(self) -> Viewer:
        viewer = Viewer(self._limit)
        for data in self._gop[: self._limit - 1]:
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
            for viewer in list(self._viewers):
                if not viewer.offer(chunk.data):
                    self._viewers.discard(viewer)
                    self.dropped_viewers += 1

    def close(self) -> None:
        """End every viewer's stream (the channel stopped)."""
        for viewer in list(self._viewers):
            viewer.drop()
        self._viewers.clear()
        self._gop = []
