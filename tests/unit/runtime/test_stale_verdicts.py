"""Gating that cannot go stale: a changed file, and a cached verdict older than a withdrawal."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from retrovue.errors import DatabaseError
from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg
from retrovue.fingerprint import fingerprint
from retrovue.runtime.gating import GatingWatch, gate
from retrovue.runtime.planner import Planner
from retrovue.schedule_manager.airing import Airing, ScheduledItem

START = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clip") / "show.mp4"
    Ffmpeg(resolve_ffmpeg()).run(
        ["-f", "lavfi", "-i", "testsrc=s=64x36:r=10:d=2", "-f", "lavfi",
         "-i", "sine=r=48000:d=2", "-c:v", "libx264", "-preset", "ultrafast",
         "-c:a", "aac", "-shortest", str(path)]
    )  # fmt: skip
    return path


def item_for(path: Path, approved: str | None) -> ScheduledItem:
    return ScheduledItem(
        1, 1, START.date(), START, START + dt.timedelta(minutes=30), "program", 0, 1,
        asset_id=7, file_path=str(path), title="Show", canonical=True, available=True,
        fingerprint=approved,
    )  # fmt: skip


def test_a_file_replaced_at_the_same_path_is_refused_until_it_is_approved_again(
    clip: Path, tmp_path: Path
) -> None:
    aired = tmp_path / "show.mp4"
    shutil.copy(clip, aired)
    approved = fingerprint(aired)
    assert gate(item_for(aired, approved)) is None
    with aired.open("r+b") as handle:  # same size, one byte of its tail rewritten
        handle.seek(-10, os.SEEK_END)
        handle.write(b"X")
    refusal = gate(item_for(aired, approved))
    assert refusal == f"file changed since it was approved, awaiting re-approval: {aired}"
    assert gate(item_for(aired, fingerprint(aired))) is None  # re-approved


def test_a_file_only_touched_since_approval_is_refused_too(clip: Path, tmp_path: Path) -> None:
    aired = tmp_path / "show.mp4"
    shutil.copy(clip, aired)
    approved = fingerprint(aired)
    stat = aired.stat()
    os.utime(aired, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert gate(item_for(aired, approved)) is not None


@dataclass
class Schedule:
    """A schedule manager whose database can go away; `revision` counts gating changes."""

    item: ScheduledItem
    revision: int = 5
    down: bool = False
    reads: list[str] = field(default_factory=list)

    def _check(self, what: str) -> None:
        self.reads.append(what)
        if self.down:
            raise DatabaseError("database unavailable: connection refused")

    def gating_revision(self) -> int:
        self._check("revision")
        return self.revision

    def what_is_airing(self, channel_number: int, at: dt.datetime) -> Airing | None:
        self._check("airing")
        return Airing(self.item, at) if self.item.start_utc <= at < self.item.end_utc else None

    def items_between(
        self, channel_number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]:
        self._check("items")
        return [self.item]

    guide_between = items_between  # the fake keeps one tier for both


def test_in_an_outage_a_cached_item_airs_while_no_withdrawal_is_known(clip: Path) -> None:
    schedule = Schedule(item_for(clip, None))
    planner = Planner(schedule, 1, GatingWatch(schedule.gating_revision))
    assert planner.slot_at(START).action == "file"
    schedule.down = True
    assert planner.slot_at(START + dt.timedelta(minutes=1)).action == "file"


def test_in_an_outage_a_cached_verdict_older_than_a_known_withdrawal_airs_slate(
    clip: Path,
) -> None:
    schedule = Schedule(item_for(clip, None))
    watch = GatingWatch(schedule.gating_revision)
    planner = Planner(schedule, 1, watch)
    assert planner.slot_at(START).action == "file"  # verdicts cached at revision 5
    schedule.item = replace(schedule.item, canonical=False)  # the operator withdraws it...
    schedule.revision = 6
    assert watch.poll() == 6  # ...the station's watch sees the change...
    schedule.down = True  # ...and then the database goes away before the next lookup
    slot = planner.slot_at(START + dt.timedelta(seconds=10))
    assert (slot.action, slot.status) == ("slate", "substituted")
    assert slot.reason is not None and slot.reason.startswith("approval not confirmed")
    schedule.down = False  # back: the fresh verdict is the answer
    fresh = planner.slot_at(START + dt.timedelta(seconds=20))
    assert (fresh.action, fresh.reason) == ("slate", "asset 7 is not canonical")
