"""The planner: a file that goes while it is gated is refused; a lookup that hangs is slate."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from pathlib import Path

import pytest

from retrovue.runtime.gating import gate
from retrovue.runtime.planner import LOOKUP_RETRY, Slot, SlotsAhead
from retrovue.schedule_manager.airing import ScheduledItem

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_a_file_deleted_between_the_access_check_and_its_size_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone.mp4"
    monkeypatch.setattr(os, "access", lambda path, mode: True)  # it was there a moment ago
    item = ScheduledItem(
        1, 1, START.date(), START, START + dt.timedelta(minutes=1), "program", 0, 1,
        asset_id=7, file_path=str(gone), canonical=True, available=True,
    )  # fmt: skip
    assert gate(item) == f"file missing or unreadable: {gone}: No such file or directory"


def test_a_slot_whose_lookup_hangs_is_slate_until_the_lookup_answers() -> None:
    answered = threading.Event()

    def slow(at: dt.datetime) -> Slot:
        answered.wait(10)  # a hung database or file server
        return Slot("black", at, at + dt.timedelta(minutes=1))

    ahead = SlotsAhead(slow, "test lookup")
    try:
        began = time.monotonic()
        late = ahead.slot_at(START, wait=0.1)
        assert time.monotonic() - began < 1.0
        assert (late.action, late.status) == ("slate", "substituted")
        assert late.end_utc == START + LOOKUP_RETRY
        answered.set()
        assert ahead.slot_at(START, wait=5).action == "black"  # the same lookup, now answered
    finally:
        answered.set()
        ahead.close()
