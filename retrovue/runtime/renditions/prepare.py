"""Preparing renditions of what airs soon: soonest first, kept within the disk budget."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from retrovue.errors import MediaError, RetroVueError
from retrovue.runtime.renditions.budget import over_budget
from retrovue.runtime.renditions.keyframes import index_path
from retrovue.runtime.renditions.maker import Made, Planned, Progress, RenditionMaker
from retrovue.runtime.renditions.shelf import RenditionShelf
from retrovue.schedule_manager.renditions import DueAsset, RenditionRecord

log = logging.getLogger(__name__)


@dataclass
class PrepareReport:
    """What one pass did; `held_back` counts items left unmade for want of room."""

    made: list[Made] = field(default_factory=list)
    already: int = 0
    failed: list[tuple[DueAsset, str]] = field(default_factory=list)
    evicted: int = 0
    held_back: int = 0
    stopped: bool = False


@dataclass(frozen=True)
class Outcome:
    """One item prepared: made (or None when stopped), what it evicted, whether it was kept."""

    made: Made | None
    evicted: int = 0
    kept: bool = True


class PrepareView(Protocol):
    """Where a pass reports its progress (a progress bar, or nothing)."""

    def begin(self, items: Sequence[Planned]) -> None: ...

    def item(self, planned: Planned) -> Progress: ...

    def finish(self, planned: Planned, outcome: str) -> None: ...


class Preparer:
    """Finds what airs in a window without a rendition and makes it, keeping to `budget`."""

    def __init__(
        self, shelf: RenditionShelf, maker: RenditionMaker, budget: int | None = None
    ) -> None:
        self.shelf = shelf
        self.maker = maker
        self.budget = budget

    def pending(
        self, hours: float, retry_failed: bool = True
    ) -> tuple[list[Planned], int, list[tuple[DueAsset, str]]]:
        """What airs in the next `hours` and has no ready rendition (soonest first), how
        many already have one, and those whose file cannot be read."""
        now = self.shelf.clock.now()
        due = self.shelf.book.renditions_due(now, now + dt.timedelta(hours=hours))
        todo: list[Planned] = []
        failed: list[tuple[DueAsset, str]] = []
        ready = 0
        for asset in due:
            try:
                planned = self.maker.plan(asset)
            except MediaError as error:
                failed.append((asset, str(error)))
                continue
            if planned is None:
                continue  # its caption varies per airing: it airs live
            record = self.shelf.book.rendition_for(asset.asset_id, planned.key)
            if record is not None and record.state == "ready" and _present(record.path):
                ready += 1
            elif record is None or record.state == "ready" or retry_failed:
                todo.append(planned)
        return todo, ready, failed

    def prepare(
        self,
        planned: Planned,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> Outcome:
        """Make one rendition, record it, drop the asset's older ones, keep to the budget.

        A failure is recorded (the operator sees it in the catalog) and raised.
        """
        asset = planned.asset
        book = self.shelf.book
        try:
            made = self.maker.make(planned, progress, stop)
        except MediaError as error:
            book.record_rendition(
                asset.asset_id, planned.key, planned.fingerprint, "", 0, "failed",
                self.shelf.clock.now(), str(error),
            )  # fmt: skip
            raise
        if made is None:
            return Outcome(None)
        record = book.record_rendition(
            asset.asset_id, planned.key, planned.fingerprint, str(made.path), made.size_bytes,
            "ready", self.shelf.clock.now(),
        )  # fmt: skip
        # A changed file or setting left the asset's earlier renditions unreachable.
        older = [
            r for r in book.all_renditions() if r.asset_id == asset.asset_id and r.id != record.id
        ]
        self.shelf.remove(older)
        going = self.trim()
        return Outcome(made, len(going), all(r.id != record.id for r in going))

    def trim(self) -> list[RenditionRecord]:
        """Remove what the budget has no room for (what airs farthest ahead, or aired longest
        ago and airs no more, goes first); what went."""
        if self.budget is None:
            return []
        book = self.shelf.book
        records = book.all_renditions()
        going = over_budget(records, book.next_airings(self.shelf.clock.now()), self.budget)
        self.shelf.remove(going)
        return going

    def run(
        self,
        hours: float,
        view: PrepareView | None = None,
        stop: threading.Event | None = None,
    ) -> PrepareReport:
        """One pass over the window: everything due without a rendition, soonest first.

        It ends early when the budget cannot keep what it just made (what is left airs
        later still, so it would not be kept either).
        """
        evicted = len(self.trim())  # a budget lowered since the last pass holds from the start
        todo, ready, failed = self.pending(hours)
        report = PrepareReport(already=ready, failed=failed, evicted=evicted)
        if view is not None:
            view.begin(todo)
        for position, planned in enumerate(todo):
            progress = None if view is None else view.item(planned)
            try:
                outcome = self.prepare(planned, progress, stop)
            except RetroVueError as error:
                report.failed.append((planned.asset, str(error)))
                if view is not None:
                    view.finish(planned, "failed")
                continue
            if outcome.made is None:
                report.stopped = True
                break
            report.evicted += outcome.evicted
            if view is not None:
                view.finish(planned, "made" if outcome.kept else "over budget")
            if not outcome.kept:
                report.held_back = len(todo) - position
                report.evicted -= 1  # the one just made is not counted as made, nor evicted
                break
            report.made.append(outcome.made)
        return report


def _present(path: str) -> bool:
    return Path(path).is_file() and index_path(path).is_file()
