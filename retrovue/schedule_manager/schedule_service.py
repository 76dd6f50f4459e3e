"""ScheduleService: what airs when, read from the playlog or computed in memory for a day.

It is also the whole of what runtime may ask of the station database: narrow calls for the
airing at an instant, the horizon, the guide token, the station's facts and the gating
revision, and the one write runtime makes (the as-run log). Runtime never holds a handle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, text

from retrovue.errors import NotFoundError
from retrovue.infra.db import Database, open_current_database
from retrovue.schedule_manager import epg, playlog, renditions
from retrovue.schedule_manager.airing import Airing, ChannelInfo, ScheduledItem
from retrovue.schedule_manager.asrun import AsRunEntry, write_entries
from retrovue.schedule_manager.breaks import BreakFiller
from retrovue.schedule_manager.catalog import Catalog
from retrovue.schedule_manager.config import (
    DEVICE_ID_KEY,
    load_blocks,
    load_channel,
    load_channels,
    templates_by_day,
)
from retrovue.schedule_manager.models import StationSetting
from retrovue.schedule_manager.planner import ChannelPlanner
from retrovue.schedule_manager.renditions import DueAsset, RenditionRecord, RenditionState
from retrovue.schedule_manager.rules import Selector, book_before
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator
from retrovue.schedule_manager.timemath import from_ms, to_ms

CATALOG_REVISION_KEY = "catalog_revision"  # bumped by triggers on every gating change


class ScheduleService:
    """Read-only on configuration; answers for runtime, the station's API and the CLI."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @classmethod
    def open(cls, url: str | None = None) -> ScheduleService:
        """Open the station database, which must already be at the current schema: the
        station never migrates (`retrovue db upgrade` does)."""
        return cls(open_current_database(url))

    @property
    def database(self) -> Database:
        """The station database, for the schedule manager's own modules (XMLTV, the CLI's
        views); runtime never asks for it (lint-imports and the runtime protocols keep it so)."""
        return self._db

    def close(self) -> None:
        self._db.dispose()

    def orchestrator(self, horizon_hours: float, epg_days: float = 14.0) -> ScheduleOrchestrator:
        """The planner that keeps every channel's playlog `horizon_hours` ahead and its guide
        `epg_days` ahead."""
        return ScheduleOrchestrator(self._db, horizon_hours=horizon_hours, epg_days=epg_days)

    # -- the station's facts -----------------------------------------------------------------
    def ping(self) -> None:
        """Return when the database answers; DatabaseError when it does not."""
        with self._db.connection() as connection:
            connection.execute(text("SELECT 1"))

    def device_id(self) -> str:
        """The HDHomeRun device id the database was seeded with (never made up here)."""
        with self._db.reading() as session:
            value = session.get(StationSetting, DEVICE_ID_KEY)
            if value is None:
                raise NotFoundError("station setting", DEVICE_ID_KEY)
            return value.value

    def guide_token(self) -> tuple[int, int]:
        """A cheap token of the playlog that moves whenever planning changes it."""
        with self._db.reading() as session:
            return playlog.revision(session)

    def gating_revision(self) -> int:
        """How many times any catalog row's gating (canonical, available, file) has changed."""
        row = self._db.first(
            select(StationSetting.value).where(StationSetting.key == CATALOG_REVISION_KEY)
        )
        return int(row[0] or 0) if row is not None else 0

    def airable_files(self, tag: str) -> list[str]:
        """Files of the canonical, available catalog assets carrying `tag` (the guide's
        music bed is made of those tagged `guide-music`)."""
        with self._db.reading() as session:
            catalog = Catalog.load(session)
        return sorted({e.file_path for e in catalog.entries.values() if tag in e.tags})

    def record_asrun(self, entries: Sequence[AsRunEntry]) -> dict[int, int]:
        """Write as-run entries in one transaction (all or none); the row id of each start."""
        with self._db.transaction() as session:
            return write_entries(session, entries)

    def list_channels(self, active_only: bool = True) -> list[ChannelInfo]:
        with self._db.reading() as session:
            return [c.info for c in load_channels(session, active_only)]

    def channel(self, number: int) -> ChannelInfo:
        with self._db.reading() as session:
            return load_channel(session, number).info

    def what_is_airing(self, channel_number: int, at: dt.datetime) -> Airing | None:
        """The event on air at `at` and the offset into its file; one indexed query."""
        row = self._db.first(playlog.AIRING, {"number": channel_number, "at": to_ms(at)})
        if row is None or row.end_ms <= to_ms(at):
            return None
        return Airing(playlog.item_of(row), at)

    def items_between(
        self, channel_number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]:
        """Playlog events overlapping [start, end), ordered by start (what runtime plays)."""
        with self._db.reading() as session:
            return playlog.items_between(session, channel_number, to_ms(start), to_ms(end))

    def guide_between(
        self, channel_number: int, start: dt.datetime, end: dt.datetime
    ) -> list[ScheduledItem]:
        """Guide entries overlapping [start, end): one item a programme slot or slate, from
        the EPG tier (planned days further ahead than the playlog)."""
        with self._db.reading() as session:
            return epg.guide_between(session, channel_number, to_ms(start), to_ms(end))

    def broadcast_day_of(self, channel_number: int, at: dt.datetime) -> dt.date:
        with self._db.reading() as session:
            return load_channel(session, channel_number).clock.broadcast_day(at)

    def day_span(self, channel_number: int, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The UTC span of a channel's broadcast day (23 to 25 hours around DST changes)."""
        with self._db.reading() as session:
            return load_channel(session, channel_number).clock.day_span(day)

    def show_day(self, channel_number: int, day: dt.date) -> list[ScheduledItem]:
        """Broadcast day `day` as planned (including a program carried past its end): the
        playlog's events where the day is laid out, else the EPG tier's guide entries."""
        start, end = self.day_span(channel_number, day)
        items = [
            i for i in self.items_between(channel_number, start, end) if i.broadcast_day == day
        ]
        if items:
            return items
        return [i for i in self.guide_between(channel_number, start, end) if i.broadcast_day == day]

    def preview_day(self, channel_number: int, day: dt.date) -> list[ScheduledItem]:
        """The day as the planner would lay it out now, computed in memory; writes nothing.

        It continues from a program the guide carries over from the day before, and starts
        from the order state the planner kept before this day.
        """
        with self._db.reading() as session:
            channel = load_channel(session, channel_number)
            template_id = templates_by_day(session, channel, day, day)[day]
            blocks = load_blocks(session, [template_id]).get(template_id or -1)
            catalog = Catalog.load(session)
            snapshots = playlog.load_snapshots(session, channel.id)
            snapshots.pop(playlog.PLAN_KEY, None)
            snapshots.pop(playlog.FILL_KEY, None)
            day_start = channel.clock.day_start_ms(day)
            carry = epg.end_covering(session, channel.id, day_start) or day_start
        planner = ChannelPlanner(channel.id, channel.clock, Selector(catalog), BreakFiller(catalog))
        plan = planner.plan_day(day, blocks, book_before(snapshots, day), carry)
        items = []
        for event in planner.events(plan):
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

    # -- prepared renditions (runtime's preparer writes these, like the as-run log) ----------
    def rendition_for(self, asset_id: int, key: str) -> RenditionRecord | None:
        """The rendition of `asset_id` made with `key`, in whatever state; one indexed read."""
        with self._db.reading() as session:
            return renditions.find(session, asset_id, key)

    def record_rendition(
        self,
        asset_id: int,
        key: str,
        source_fingerprint: str,
        path: str,
        size_bytes: int,
        state: RenditionState,
        made_at: dt.datetime,
        error: str | None = None,
    ) -> RenditionRecord:
        """Write the outcome of preparing `asset_id` with `key` (ready, or failed and why)."""
        with self._db.transaction() as session:
            return renditions.record(
                session, asset_id=asset_id, key=key, source_fingerprint=source_fingerprint,
                path=path, size_bytes=size_bytes, state=state, made_at=made_at, error=error,
            )  # fmt: skip

    def rendition_aired(self, rendition_id: int, at: dt.datetime) -> None:
        with self._db.transaction() as session:
            renditions.mark_aired(session, rendition_id, at)

    def forget_renditions(self, rendition_ids: Sequence[int]) -> int:
        """Remove rendition rows whose files were deleted; how many went."""
        with self._db.transaction() as session:
            return renditions.forget(session, rendition_ids)

    def all_renditions(self) -> list[RenditionRecord]:
        with self._db.reading() as session:
            return renditions.all_records(session)

    def renditions_due(self, start: dt.datetime, end: dt.datetime) -> list[DueAsset]:
        """Canonical, available assets airing in [start, end), the soonest first."""
        with self._db.reading() as session:
            return renditions.due(session, start, end)

    def next_airings(self, after: dt.datetime) -> dict[int, dt.datetime]:
        """Each asset's next airing still to end after `after` (what eviction keeps)."""
        with self._db.reading() as session:
            return renditions.next_airings(session, after)

    def rendition_states(self) -> dict[int, tuple[str, int]]:
        """Per asset, its newest rendition's state (ready, failed, stale) and size."""
        with self._db.reading() as session:
            return {k: (state, size) for k, (state, size) in renditions.states(session).items()}
