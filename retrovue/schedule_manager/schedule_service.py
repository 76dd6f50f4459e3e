"""ScheduleService: what airs when, read from the playlog or computed in memory for a day."""

from __future__ import annotations

import datetime as dt

from retrovue.infra.db import Database, open_database
from retrovue.schedule_manager import playlog
from retrovue.schedule_manager.airing import Airing, ChannelInfo, ScheduledItem
from retrovue.schedule_manager.breaks import BreakFiller
from retrovue.schedule_manager.catalog import Catalog
from retrovue.schedule_manager.config import (
    load_blocks,
    load_channel,
    load_channels,
    templates_by_day,
)
from retrovue.schedule_manager.planner import ChannelPlanner
from retrovue.schedule_manager.rules import Selector, book_before
from retrovue.schedule_manager.timemath import from_ms


class ScheduleService:
    """Read-only on configuration; answers for runtime, the station's API and the CLI."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    def open(cls, url: str | None = None) -> ScheduleService:
        """Open (creating and migrating on first use) the station database."""
        return cls(open_database(url))

    def close(self) -> None:
        self.db.dispose()

    def list_channels(self, active_only: bool = True) -> list[ChannelInfo]:
        with self.db.reading() as session:
            return [c.info for c in load_channels(session, active_only)]

    def channel(self, number: int) -> ChannelInfo:
        with self.db.reading() as session:
            return load_channel(session, number).info

    def what_is_airing(self, channel_number: int, at: dt.datetime) -> Airing | None:
        """The event on air at `at` and the offset into its file; one indexed query."""
        with self.db.connection() as connection:
            row = connection.execute(playlog.AIRING, {"number": channel_number, "at": at}).first()
        if row is None or row.end_utc <= at:
            return None
        return Airing(playlog.item_of(row), at)

    def items_between(
        self, channel_number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]:
        """Events overlapping [start, end), ordered by start."""
        with self.db.reading() as session:
            return playlog.items_between(session, channel_number, start, end)

    def broadcast_day_of(self, channel_number: int, at: dt.datetime) -> dt.date:
        with self.db.reading() as session:
            return load_channel(session, channel_number).clock.broadcast_day(at)

    def day_span(self, channel_number: int, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The UTC span of a channel's broadcast day (23 to 25 hours around DST changes)."""
        with self.db.reading() as session:
            return load_channel(session, channel_number).clock.day_span(day)

    def show_day(self, channel_number: int, day: dt.date) -> list[ScheduledItem]:
        """The playlog events of broadcast day `day` (including a program carried past its end)."""
        start, end = self.day_span(channel_number, day)
        items = self.items_between(channel_number, start, end)
        return [i for i in items if i.broadcast_day == day]

    def preview_day(self, channel_number: int, day: dt.date) -> list[ScheduledItem]:
        """The day as the planner would lay it out now, computed in memory; writes nothing.

        It continues from a program the playlog carries over from the day before, and starts
        from the order state the planner kept before this day.
        """
        with self.db.reading() as session:
            channel = load_channel(session, channel_number)
            template_id = templates_by_day(session, channel, day, day)[day]
            blocks = load_blocks(session, [template_id]).get(template_id or -1)
            catalog = Catalog.load(session)
            snapshots = playlog.load_snapshots(session, channel.id)
            snapshots.pop(playlog.PLAN_KEY, None)
            day_start = channel.clock.day_start_ms(day)
            carry = day_start
            before = playlog.items_between(
                session, channel_number, from_ms(day_start), from_ms(day_start + 1)
            )
            if before and before[0].broadcast_day < day:
                carry = playlog.group_end_covering(session, channel.id, day_start) or carry
        planner = ChannelPlanner(channel.id, channel.clock, Selector(catalog), BreakFiller(catalog))
        plan = planner.plan_day(day, blocks, book_before(snapshots, day), carry)
        items = []
        for event in plan.events:
            entry = catalog.entries.get(event.asset_id) if event.asset_id is not None else None
            items.append(
                ScheduledItem(
                    event_id=0,
                    channel_number=channel_number,
                    broadcast_day=day,
                    start_utc=from_ms(event.start_ms),
                    end_utc=from_ms(event.end_ms),
                    kind=event.kind,
                    in_point_ms=event.in_point_ms,
                    program_group=event.program_group,
                    asset_id=event.asset_id,
                    file_path=entry.file_path if entry else None,
                    title=entry.title if entry else None,
                    canonical=entry is not None,
                    available=entry is not None,
                    note=event.note,
                )
            )
        return items
