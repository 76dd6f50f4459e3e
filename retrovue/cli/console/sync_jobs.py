"""Source syncs run in the background, one per source, their progress polled by the page."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from retrovue.domain.sync import SyncCounts
from retrovue.errors import RetroVueError


@dataclass
class SyncJob:
    """One sync: live counts while it runs, then its summary or its one-line error."""

    source: str
    started: float = field(default_factory=time.monotonic)
    phase: str = "scanning"
    counts: dict[str, int] = field(default_factory=dict)
    report: dict[str, Any] | None = None
    error: str | None = None
    done: bool = False

    def update(self, counts: SyncCounts) -> None:
        self.phase = "probing"
        self.counts = {
            "seen": counts.seen,
            "to_probe": counts.to_probe,
            "probed": counts.probed,
            "skipped": counts.skipped,
            "failed": counts.failed,
        }

    @property
    def percent(self) -> int:
        total = self.counts.get("to_probe", 0)
        if self.done:
            return 100
        if not total:
            return 0
        return min(99, round(100 * (self.counts["probed"] + self.counts["failed"]) / total))

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "phase": self.phase,
            "percent": self.percent,
            "counts": self.counts,
            "report": self.report,
            "error": self.error,
            "done": self.done,
        }


class SyncJobs:
    """The syncs this console started; a second sync of a running source joins the first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, SyncJob] = {}

    def get(self, source: str) -> SyncJob | None:
        with self._lock:
            return self._jobs.get(source)

    def start(
        self,
        source: str,
        work: Callable[[SyncJob], dict[str, Any]],
        after: Callable[[SyncJob], None] | None = None,
    ) -> SyncJob:
        with self._lock:
            running = self._jobs.get(source)
            if running is not None and not running.done:
                return running
            job = self._jobs[source] = SyncJob(source)
        threading.Thread(target=self._run, args=(job, work, after), daemon=True).start()
        return job

    @staticmethod
    def _run(
        job: SyncJob,
        work: Callable[[SyncJob], dict[str, Any]],
        after: Callable[[SyncJob], None] | None,
    ) -> None:
        try:
            report = work(job)
            if after is not None:
                job.phase = "poster frames"
                after(job)
            job.report = report
        except (RetroVueError, OSError) as error:
            job.error = " ".join(str(error).split()) or type(error).__name__
        finally:
            job.phase = "done"
            job.done = True
