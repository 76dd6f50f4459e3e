"""Where renditions are kept and how playout finds the one for an item (if any)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from retrovue.errors import RetroVueError
from retrovue.fingerprint import fingerprint
from retrovue.runtime.master_clock import MasterClock
from retrovue.runtime.renditions.keyframes import index_path
from retrovue.runtime.renditions.recipe import Recipe
from retrovue.schedule_manager.airing import ScheduledItem
from retrovue.schedule_manager.renditions import DueAsset, RenditionRecord, RenditionState

log = logging.getLogger(__name__)


class RenditionBook(Protocol):
    """The schedule service's rendition calls (runtime's only way to the table)."""

    def rendition_for(self, asset_id: int, key: str) -> RenditionRecord | None: ...

    def record_rendition(
        self,
        asset_id: int,
        key: str,
        source_fingerprint: str,
        path: str,
        size_bytes: int,
        state: RenditionState,
        made_at: dt.datetime,
        error: str | None = None,
    ) -> RenditionRecord: ...

    def rendition_aired(self, rendition_id: int, at: dt.datetime) -> None: ...

    def forget_renditions(self, rendition_ids: Sequence[int]) -> int: ...

    def all_renditions(self) -> list[RenditionRecord]: ...

    def renditions_due(self, start: dt.datetime, end: dt.datetime) -> list[DueAsset]: ...

    def next_airings(self, after: dt.datetime) -> dict[int, dt.datetime]: ...


@dataclass(frozen=True, slots=True)
class Rendition:
    """A ready rendition playout may open with `RenditionSource(path, offset, duration)`."""

    record_id: int
    asset_id: int
    key: str
    path: Path


class RenditionShelf:
    """The renditions folder and the book that says what is in it."""

    def __init__(
        self, folder: Path, recipe: Recipe, book: RenditionBook, clock: MasterClock
    ) -> None:
        self.folder = folder
        self.recipe = recipe
        self.book = book
        self.clock = clock

    def path_for(self, key: str) -> Path:
        return self.folder / f"{key}.ts"

    def find(self, item: ScheduledItem, has_audio: bool) -> Rendition | None:
        """The ready rendition of `item`'s file as it is on disk now, in the shape `item`
        airs in, or None.

        The key is taken from the file's fingerprint now and from everything shaping what
        the item's live producer would air, so a file or setting changed after its rendition
        was made finds none (it airs live until a new one is made), nor does an item whose
        caption varies per airing. Reads the database and the file: call it where slot
        lookups run, never on the playout thread.
        """
        if item.asset_id is None or not item.file_path:
            return None
        shape = self.recipe.shape_of(item, has_audio)
        if shape is None:
            return None
        try:
            key = self.recipe.key(fingerprint(item.file_path), has_audio, shape)
            record = self.book.rendition_for(item.asset_id, key)
        except (OSError, RetroVueError) as error:
            log.warning("no rendition for asset %s: %s", item.asset_id, error)
            return None
        if record is None or record.state != "ready":
            return None
        path = Path(record.path)
        if not (path.is_file() and index_path(path).is_file()):
            return None
        with contextlib.suppress(RetroVueError):  # a missed stamp only ages it for eviction
            self.book.rendition_aired(record.id, self.clock.now())
        return Rendition(record.id, record.asset_id, record.key, path)

    def size_on_disk(self, path: Path) -> int:
        """Bytes a rendition holds: its stream and its index."""
        return sum(p.stat().st_size for p in (path, index_path(path)) if p.exists())

    def remove(self, records: Sequence[RenditionRecord]) -> int:
        """Delete the files of `records`, then their rows; how many rows went.

        A file another row still names (two assets of one file) stays.
        """
        if not records:
            return 0
        going = {r.id for r in records}
        kept = {Path(r.path) for r in self.book.all_renditions() if r.id not in going}
        for record in records:
            path = Path(record.path)
            if path in kept:
                continue
            for file in (path, index_path(path)):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(file)
        return self.book.forget_renditions(sorted(going))
