"""Poster frames of library items: one still per file, made by ffmpeg at sync and kept."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from retrovue.errors import FfmpegError
from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg

log = logging.getLogger("retrovue.console")

POSTER_WIDTH: Final = 320
FRAME_AT: Final = 0.1  # of the duration in: past a cold open's black, rarely a spoiler
FRAME_AT_MOST_S: Final = 60.0


@dataclass(frozen=True)
class PosterStore:
    folder: Path

    def path(self, item: dict[str, Any]) -> Path:
        """Named by item and file, so a changed file gets a new frame."""
        key = f"{item['path']}|{item.get('duration_ms')}".encode()
        return self.folder / f"{item['id']}-{hashlib.sha1(key).hexdigest()[:12]}.jpg"

    def has(self, item: dict[str, Any]) -> bool:
        return self.path(item).is_file()

    def make_missing(self, items: list[dict[str, Any]], ffmpeg: Ffmpeg | None = None) -> int:
        """A frame for each readable item that has none yet; returns how many were made."""
        todo = [i for i in items if i.get("duration_ms") and not i["soft_deleted"]]
        todo = [i for i in todo if not self.has(i)]
        if not todo:
            return 0
        runner = ffmpeg or Ffmpeg(resolve_ffmpeg())
        self.folder.mkdir(parents=True, exist_ok=True)
        made = 0
        for item in todo:
            made += self._make(runner, item)
        return made

    def _make(self, runner: Ffmpeg, item: dict[str, Any]) -> int:
        at = min(item["duration_ms"] / 1000 * FRAME_AT, FRAME_AT_MOST_S)
        target = self.path(item)
        staged = target.with_name(target.name + ".part")
        try:
            runner.run(
                ["-ss", f"{at:.3f}", "-i", item["path"], "-frames:v", "1", "-an",
                 "-vf", f"scale={POSTER_WIDTH}:-2", "-q:v", "4", "-f", "mjpeg", str(staged)],
                timeout=30,
            )  # fmt: skip
        except FfmpegError as error:
            # An item without a picture (audio only, a broken file) simply shows none.
            log.warning("no poster frame for library item %s: %s", item["id"], error)
            return 0
        if not staged.is_file() or staged.stat().st_size == 0:
            staged.unlink(missing_ok=True)
            return 0
        for old in self.folder.glob(f"{item['id']}-*.jpg"):
            old.unlink(missing_ok=True)  # the frame of the file as it was
        staged.replace(target)
        return 1
