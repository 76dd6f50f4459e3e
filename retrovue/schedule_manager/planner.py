"""One channel's broadcast day laid out in memory: blocks filled, carryover, slate elsewhere.

Planning makes the EPG tier (guide entries: each programme's slot and where it breaks);
laying a day out fills its breaks with spots for the playlog tier. The filler restarts from a
seed fixed by channel and day, so a day laid out later comes out exactly as it would now.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from retrovue.errors import ValidationError
from retrovue.schedule_manager.breaks import (
    BreakFiller,
    Event,
    FillSpec,
    GuideEntry,
    lay_entries,
    slot_layout,
)
from retrovue.schedule_manager.epg import Aired
from retrovue.schedule_manager.models import RuleV1
from retrovue.schedule_manager.rules import Book, Selector, make_picker, selection_key
from retrovue.schedule_manager.timemath import ChannelClock, GridIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Block:
    """A template block as stored: local minutes and its raw rule_json."""

    start_minutes: int
    end_minutes: int
    rule_json: dict[str, Any]

    @property
    def label(self) -> str:
        s, e = self.start_minutes, self.end_minutes
        return f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}"

    # Read once per block a planning pass loads, not again for each day it fills.
    @functools.cached_property
    def rule(self) -> RuleV1:
        """The parsed rule (raises ValidationError when it is not valid)."""
        return RuleV1.parse(self.rule_json)

    @functools.cached_property
    def selection(self) -> str:
        return selection_key(self.rule)

    @functools.cached_property
    def fill(self) -> FillSpec:
        return FillSpec.of(self.rule)


def day_seed(channel_id: int, day: dt.date) -> int:
    """Where the filler's rotations start on a channel's broadcast day."""
    return zlib.crc32(f"{channel_id}:{day.isoformat()}".encode())


@dataclass
class DayPlan:
    day: dt.date
    entries: list[GuideEntry]
    end_ms: int
    warnings: list[str] = field(default_factory=list)


class ChannelPlanner:
    """Plans consecutive broadcast days of one channel; keeps its grid between days."""

    def __init__(
        self, channel_id: int, clock: ChannelClock, selector: Selector, filler: BreakFiller
    ) -> None:
        self.channel_id = channel_id
        self.clock = clock
        self.selector = selector
        self.filler = filler
        self.grid: GridIndex = clock.grid()

    def plan_day(
        self,
        day: dt.date,
        blocks: Sequence[Block] | None,
        book: Book,
        carry_ms: int,
        aired: Sequence[Aired] = (),
    ) -> DayPlan:
        """Events from `carry_ms` (or the day's start, if later) to the end of its last slot.

        `blocks` None means no template: the whole day is slate. `aired` are the programs this
        day already put on air before `carry_ms`; their blocks replay them into `book` first,
        so the rest of the day continues each order instead of starting it again.
        """
        day_start, day_end = self.clock.day_span_ms(day)
        self.grid.add(day_start)
        self.grid.add(day_end)
        plan = DayPlan(day, [], max(carry_ms, day_start))
        if blocks is None:
            self._slate(plan, day_end, "no template for this broadcast day")
            return plan
        spans = sorted(
            ((*self.clock.block_span_ms(day, b.start_minutes, b.end_minutes), b) for b in blocks),
            key=lambda span: (span[0], span[1]),
        )
        for start, end, block in spans:
            self.grid.add(start)
            self.grid.add(end)
            if plan.end_ms < start:
                self._slate(plan, start, "no template block covers this time")
            taken = [a for a in aired if start <= a.start_ms < end]
            if plan.end_ms < end or taken:
                self._fill_block(plan, block, end, book, taken)
        if plan.end_ms < day_end:
            self._slate(plan, day_end, "no template block covers this time")
        return plan

    def lay(self, day: dt.date, entries: Sequence[GuideEntry]) -> list[Event]:
        """The playlog events of broadcast `day`'s entries (from the day's first entry on)."""
        self.filler.restart(day_seed(self.channel_id, day))
        return lay_entries(entries, self.filler)

    def events(self, plan: DayPlan) -> list[Event]:
        """A planned day laid out in full."""
        return self.lay(plan.day, plan.entries)

    def _slate(self, plan: DayPlan, until: int, note: str, kind: str = "slate") -> None:
        """Slate from the plan's end to `until`, one guide entry per grid slot."""
        points = [p for p in self.grid.between(plan.end_ms, until) if plan.end_ms < p < until]
        pos = plan.end_ms
        for point in [*points, until]:
            plan.entries.append(GuideEntry(pos, point, kind, None, plan.day, note))
            pos = point
        plan.end_ms = until

    def _fill_block(
        self, plan: DayPlan, block: Block, end: int, book: Book, taken: Sequence[Aired] = ()
    ) -> None:
        try:
            rule = block.rule
        except ValidationError as error:
            self._refuse(plan, block, end, f"rule is not valid: {error}")
            return
        pool = self.selector.programs(rule, block.selection)
        if not pool:
            self._refuse(plan, block, end, "no canonical, available asset matches its rule")
            return
        picker = make_picker(rule, pool, book, self.channel_id, plan.day, block.selection)
        fill, grid, entries, day = block.fill, self.grid, plan.entries, plan.day
        for aired in taken:
            entry = pool.by_id.get(aired.asset_id)
            if entry is not None:
                picker.take(entry, aired.start_ms)
        while plan.end_ms < end:
            start = plan.end_ms
            entry = picker.pick(start, end - start if rule.overrun == "skip" else None)
            if entry is None:
                minutes = (end - start) // 60_000
                self._refuse(plan, block, end, f"no matching program fits the last {minutes} min")
                return
            slot_end = grid.ceil(start + entry.duration_ms)
            layout = slot_layout(entry, rule, start, slot_end, fill)
            entries.append(GuideEntry(start, slot_end, "program", entry.id, day, None, layout))
            plan.end_ms = slot_end

    def _refuse(self, plan: DayPlan, block: Block, end: int, reason: str) -> None:
        if plan.end_ms >= end:
            return  # a block wholly in the kept past, only replayed: nothing left to fill
        note = f"block {block.label}: {reason}"
        log.warning("channel %s, %s: %s (slate instead)", self.channel_id, plan.day, note)
        plan.warnings.append(note)
        self._slate(plan, end, note)
