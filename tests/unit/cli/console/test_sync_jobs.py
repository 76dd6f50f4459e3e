"""Background syncs: progress while running, the summary or one-line error once done."""

from __future__ import annotations

import time
from typing import Any

from retrovue.cli.console.sync_jobs import SyncJob, SyncJobs
from retrovue.domain.sync import SyncCounts
from retrovue.errors import SourceError


def _wait(job: SyncJob) -> None:
    deadline = time.monotonic() + 10
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.01)
    assert job.done


def test_progress_counts_probed_and_failed_files_of_those_to_probe() -> None:
    job = SyncJob("shows")
    job.update(SyncCounts(seen=10, to_probe=8, probed=3, failed=1))
    assert (job.phase, job.percent) == ("probing", 50)
    job.update(SyncCounts(seen=10, to_probe=8, probed=8))
    assert job.percent == 99  # not done until the work has returned


def test_a_second_sync_of_a_running_source_joins_it_and_a_failure_is_one_line() -> None:
    jobs = SyncJobs()
    started: list[str] = []

    def slow(job: SyncJob) -> dict[str, Any]:
        started.append(job.source)
        time.sleep(0.2)
        raise SourceError("folder not\n  readable")

    first = jobs.start("shows", slow)
    assert jobs.start("shows", slow) is first
    _wait(first)
    assert started == ["shows"]
    assert (first.error, first.report, first.percent) == ("folder not readable", None, 100)
    after = jobs.start("shows", lambda job: {"seen": 0})
    _wait(after)
    assert after is not first and after.report == {"seen": 0}
