"""The planner's gate: a file that goes while it is looked at is a refusal, not an error."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from retrovue.runtime.planner import gate
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
