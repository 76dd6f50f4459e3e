"""Runtime's own gate before an item airs, and the watch that keeps cached verdicts honest."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

import av

from retrovue.errors import RetroVueError
from retrovue.fingerprint import fingerprint
from retrovue.schedule_manager.airing import ScheduledItem

log = logging.getLogger(__name__)

WATCH_EVERY_S = 2.0  # how often the station asks whether any catalog gating changed


def gate(item: ScheduledItem) -> str | None:
    """Why `item` may not air (canonical gating, availability, the file as approved), or None."""
    if item.asset_id is None or item.file_path is None:
        return f"event {item.event_id} has no asset to play"
    if not item.canonical:
        return f"asset {item.asset_id} is not canonical"
    if not item.available:
        return f"asset {item.asset_id} is unavailable"
    try:  # the file may go between any two looks at it
        if not os.access(item.file_path, os.R_OK):
            return f"file missing or unreadable: {item.file_path}"
        if os.path.getsize(item.file_path) == 0:
            return f"file is empty: {item.file_path}"
        if item.fingerprint is not None and fingerprint(item.file_path) != item.fingerprint:
            return f"file changed since it was approved, awaiting re-approval: {item.file_path}"
    except OSError as error:
        return f"file missing or unreadable: {item.file_path}: {error.strerror or error}"
    return None


def probe_audio(path: str) -> bool:
    """Whether `path` opens as media with video; returns if it has audio. Raises on bad media."""
    with av.open(path, options={"probesize": "1000000"}) as container:
        if not container.streams.video:
            raise ValueError("no video stream")
        return bool(container.streams.audio)


class GatingWatch:
    """The newest catalog gating revision the station has seen.

    Every withdrawal (and any other change of a row's gating) bumps the revision in the
    database. A verdict read at an older revision than the newest one seen may be stale: when
    the database cannot be asked again, such an item does not air.
    """

    def __init__(self, read: Callable[[], int] | None = None) -> None:
        self._read = read
        self._lock = threading.Lock()
        self._known = 0

    @property
    def known(self) -> int:
        return self._known

    def saw(self, revision: int) -> None:
        with self._lock:
            self._known = max(self._known, revision)

    def poll(self) -> int | None:
        """Ask the database once; the revision read, or None when it could not say."""
        if self._read is None:
            return None
        try:
            revision = self._read()
        except RetroVueError as error:
            log.debug("gating revision unreadable: %s", error)
            return None
        self.saw(revision)
        return revision
