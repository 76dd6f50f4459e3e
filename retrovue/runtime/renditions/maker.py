"""Making one rendition: ffmpeg writes it under a private name, it is indexed, then renamed."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av

from retrovue.errors import MediaError
from retrovue.ffmpeg import Ffmpeg, FfmpegProcess
from retrovue.fingerprint import fingerprint
from retrovue.runtime.gating import probe_audio
from retrovue.runtime.item_shape import ItemShape
from retrovue.runtime.renditions.keyframes import KeyframeIndex, index_path
from retrovue.runtime.renditions.recipe import Recipe
from retrovue.schedule_manager.renditions import DueAsset

EXIT_WAIT_POLLS = 600  # 30 s for ffmpeg to finish its file once its progress output closed
Progress = Callable[[float], None]  # seconds of the item made so far


@dataclass(frozen=True, slots=True)
class Planned:
    """What a rendition of an asset would be now: its key, from the file as it is, and the
    shape of its first airing (None: a file nothing is known of)."""

    asset: DueAsset
    fingerprint: str
    has_audio: bool
    key: str
    shape: ItemShape | None = None


@dataclass(frozen=True, slots=True)
class Made:
    planned: Planned
    path: Path
    size_bytes: int


class RenditionMaker:
    """Runs the recipe with ffmpeg; `nice` lowers its priority (background preparing)."""

    def __init__(
        self, ffmpeg: Ffmpeg, recipe: Recipe, folder: Path, nice: int | None = None
    ) -> None:
        self.ffmpeg = ffmpeg
        self.recipe = recipe
        self.folder = folder
        self.nice = nice
        self._has_audio: dict[tuple[str, str], bool] = {}  # (file, fingerprint) -> probed

    def plan(self, asset: DueAsset) -> Planned | None:
        """The key `asset`'s rendition has now, or None when its airing varies per airing
        (it airs live); MediaError when its file (or a side file) cannot be read."""
        try:
            taken = fingerprint(asset.file_path)
            has_audio = self._has_audio.get((asset.file_path, taken))
            if has_audio is None:
                has_audio = probe_audio(asset.file_path)
                self._has_audio[(asset.file_path, taken)] = has_audio
            shape = None
            if asset.item is not None:
                shape = self.recipe.shape_of(asset.item, has_audio)
                if shape is None:
                    return None
            key = self.recipe.key(taken, has_audio, shape)
        except (OSError, av.FFmpegError, ValueError) as error:
            raise MediaError(f"file unreadable: {asset.file_path}: {error}") from error
        return Planned(asset, taken, has_audio, key, shape)

    def make(
        self,
        planned: Planned,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> Made | None:
        """Make the rendition named by `planned.key`; None when `stop` was set meanwhile.

        MediaError (nothing kept) when ffmpeg fails, the output is not a clean rendition or
        the file changed while it was made.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.folder / f"{planned.key}.ts"
        partial = self.folder / f".{planned.key}.{os.getpid()}.{threading.get_ident()}.ts"
        asset = planned.asset
        breaks = [ms / 1000 for ms in asset.break_points_ms]
        args = self.recipe.args(
            asset.file_path, str(partial), planned.has_audio, breaks, planned.shape
        )
        try:
            if not self._encode(args, progress, stop):
                return None
            index = KeyframeIndex.build(partial)
            if fingerprint(asset.file_path) != planned.fingerprint:
                raise MediaError(f"file changed while its rendition was made: {asset.file_path}")
            index.save(index_path(final))
            os.replace(partial, final)
        except OSError as error:
            raise MediaError(f"rendition not written: {final}: {error}") from error
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
        size = final.stat().st_size + index_path(final).stat().st_size
        return Made(planned, final, size)

    def _encode(
        self, args: list[str], progress: Progress | None, stop: threading.Event | None
    ) -> bool:
        """Run ffmpeg to its end (True), or until `stop` is set (False)."""
        process = self.ffmpeg.spawn(args, nice=self.nice)
        try:
            # `-progress pipe:1` reports twice a second, so a stop is seen within half of one.
            for raw in process.stdout:
                if stop is not None and stop.is_set():
                    return False
                line = raw.decode("ascii", "replace").strip()
                if progress is not None and line.startswith("out_time_us="):
                    with contextlib.suppress(ValueError):
                        progress(max(int(line.split("=", 1)[1]), 0) / 1_000_000)
            code = _exit_code(process)
            if code != 0:
                raise process.error(f"ffmpeg exited with {code} making a rendition")
            return True
        finally:
            process.close()


def _exit_code(process: FfmpegProcess) -> int | None:
    """The exit code of an ffmpeg that closed its output (it is finishing its file)."""
    for _ in range(EXIT_WAIT_POLLS):
        code = process.poll()
        if code is not None:
            return code
        time.sleep(0.05)
    return None
