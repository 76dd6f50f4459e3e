"""The operator's view of `retrovue-station prepare`: a rich progress bar over the window."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from retrovue.runtime.renditions.maker import Planned
from retrovue.runtime.renditions.maker import Progress as ItemProgress


class PrepareBar:
    """Two bars: the whole window (seconds of media) and the item being made."""

    def __init__(self, console: Console | None = None) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
        )
        self._total: TaskID | None = None
        self._done_s = 0.0
        self._count = 0
        self._position = 0
        self._current: tuple[TaskID, float] | None = None

    def __enter__(self) -> PrepareBar:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def begin(self, items: Sequence[Planned]) -> None:
        total = sum(p.asset.duration_ms for p in items) / 1000
        self._count = len(items)
        if items:
            self._total = self._progress.add_task(f"{self._count} to prepare", total=total or 1)

    def item(self, planned: Planned) -> ItemProgress:
        self._position += 1
        seconds = planned.asset.duration_ms / 1000
        label = f"[{self._position}/{self._count}] {planned.asset.title}"
        task = self._progress.add_task(label, total=seconds or 1)
        base = self._done_s

        def advance(made_s: float) -> None:
            made_s = min(made_s, seconds)
            self._progress.update(task, completed=made_s)
            if self._total is not None:
                self._progress.update(self._total, completed=base + made_s)

        self._current = (task, seconds)
        return advance

    def finish(self, planned: Planned, outcome: str) -> None:
        if self._current is None:
            return
        task, seconds = self._current
        self._done_s += seconds
        self._progress.update(
            task, completed=seconds, description=f"{planned.asset.title}: {outcome}"
        )
        if self._total is not None:
            self._progress.update(self._total, completed=self._done_s)
