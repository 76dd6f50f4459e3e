"""The station process's planning loop outlives a run that fails however it fails."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from typing import cast

import pytest

from retrovue.runtime.master_clock import FakeClock
from retrovue.runtime.station import _plan_forever
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator


class BuggyOrchestrator:
    def __init__(self) -> None:
        self.runs = 0

    def run_once(self, now: dt.datetime) -> None:
        self.runs += 1
        raise KeyError("a bug, not a RetroVueError")


def test_planning_goes_on_after_a_run_raises_an_unexpected_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    orchestrator = BuggyOrchestrator()

    async def scenario() -> None:
        clock = FakeClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        planning = asyncio.create_task(
            _plan_forever(cast(ScheduleOrchestrator, orchestrator), clock, 0.01)
        )
        while orchestrator.runs < 3 and not planning.done():
            await asyncio.sleep(0.01)
        planning.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await planning

    asyncio.run(scenario())
    assert orchestrator.runs >= 3
    assert "planning failed" in caplog.text
