"""The guide still on disk: drawn only when its layout changes, swapped whole for ffmpeg."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from pathlib import Path

from retrovue.runtime.guide.layout import GuideLayout
from retrovue.runtime.guide.render import GuideRenderer


class GuideBoard:
    """One still file that any number of guide producers read; `refresh()` keeps it current.

    The file is a BMP: ffmpeg reads it again twice a second, and an uncompressed picture
    costs it (and the renderer) a fraction of what a PNG would.
    """

    def __init__(self, renderer: GuideRenderer, path: Path) -> None:
        self.renderer = renderer
        self.path = path
        self._shown: GuideLayout | None = None
        self._lock = threading.Lock()
        self.renders = 0
        self.last_render_s = 0.0

    @property
    def ready(self) -> bool:
        return self._shown is not None and self.path.is_file()

    def refresh(self, layout: GuideLayout) -> bool:
        """Draw `layout` and swap it in, unless it is what the still already shows; True when
        it drew. Thread-safe; a failed write is raised (the old still stays in place)."""
        with self._lock:
            if layout == self._shown and self.path.is_file():
                return False
            started = time.perf_counter()
            picture = self.renderer.render(layout)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Written under a private name, then renamed: ffmpeg opens the old or the new
            # still, never half of one.
            handle, partial = tempfile.mkstemp(
                dir=self.path.parent, prefix=".guide-", suffix=".bmp"
            )
            try:
                with os.fdopen(handle, "wb") as out:
                    picture.save(out, format="BMP")
                os.replace(partial, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(partial)
                raise
            self._shown = layout
            self.renders += 1
            self.last_render_s = time.perf_counter() - started
            return True
