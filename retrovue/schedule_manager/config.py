"""The station configuration the planner reads: channels, day assignments, template blocks."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from retrovue.errors import NotFoundError
from retrovue.schedule_manager.airing import ChannelInfo, Presentation
from retrovue.schedule_manager.models import Channel, ScheduleDay, StationSetting, TemplateBlock
from retrovue.schedule_manager.planner import Block
from retrovue.schedule_manager.timemath import ChannelClock

DEVICE_ID_KEY = "hdhomerun_device_id"


@dataclass(frozen=True)
class ChannelConfig:
    """A channel row read once, with its clock built."""

    id: int
    number: int
    name: str
    clock: ChannelClock
    default_template_id: int | None
    group: str | None
    logo: str | None
    active: bool
    station: str | None = None  # the station's token in guide ids (see `xmltv_id`)
    kind: str = "linear"
    presentation: Presentation = field(default_factory=Presentation)

    @classmethod
    def of(cls, row: Channel, station: str | None = None) -> ChannelConfig:
        clock = ChannelClock(
            row.timezone, row.grid_size_minutes, row.grid_offset_minutes, row.rollover_minutes
        )
        return cls(
            row.id,
            row.number,
            row.name,
            clock,
            row.default_template_id,
            row.group_title,
            row.logo,
            row.active,
            station,
            row.kind,
            presentation_of(row),
        )

    @property
    def info(self) -> ChannelInfo:
        return ChannelInfo(
            number=self.number,
            name=self.name,
            timezone=self.clock.timezone,
            group=self.group,
            logo=self.logo,
            active=self.active,
            xmltv_id=xmltv_id(self.number, self.station),
            kind=self.kind,
            presentation=self.presentation,
        )


def xmltv_id(number: int, station: str | None) -> str:
    """The channel's XMLTV id (also the M3U's tvg-id): `ch<number>.<station>.retrovue`.

    Guide clients have merged channels whose ids start with their numbers (`1.x` and `10.x`):
    here no id starts with a digit or is a prefix or suffix of another, and the station's
    token keeps two RetroVue stations apart. Display names still carry the number.
    """
    return f"ch{number}.{station}.retrovue" if station else f"ch{number}.retrovue"


def station_token(session: Session) -> str | None:
    """The station's HDHomeRun device id, lower-cased, as the token of its guide ids.

    None only for a database whose seeded row was removed by hand; ids then carry no token.
    """
    setting = session.get(StationSetting, DEVICE_ID_KEY)
    return None if setting is None else setting.value.strip().lower() or None


def presentation_of(row: Any) -> Presentation:
    """A channel row's (or a result row's) presentation columns, read once."""
    languages = tuple(code for code in (row.audio_language or "").split(",") if code)
    return Presentation(
        audio_language=languages,
        second_audio=row.second_audio,
        subtitles=row.subtitles or "off",
        bug_path=row.bug_path,
        bug_position=row.bug_position or "bottom-right",
        bug_opacity=1.0 if row.bug_opacity is None else float(row.bug_opacity),
        next_caption_s=row.next_caption_s,
    )


def load_channels(session: Session, active_only: bool = True) -> list[ChannelConfig]:
    query = select(Channel).order_by(Channel.number)
    if active_only:
        query = query.where(Channel.active.is_(True))
    station = station_token(session)
    return [ChannelConfig.of(row, station) for row in session.scalars(query)]


def load_channel(session: Session, number: int) -> ChannelConfig:
    row = session.scalar(select(Channel).where(Channel.number == number))
    if row is None:
        raise NotFoundError("channel", number)
    return ChannelConfig.of(row, station_token(session))


def templates_by_day(
    session: Session, channel: ChannelConfig, first: dt.date, last: dt.date
) -> dict[dt.date, int | None]:
    """The template each broadcast day runs: assigned, else the channel default, else None."""
    rows = session.execute(
        select(ScheduleDay.day, ScheduleDay.template_id).where(
            ScheduleDay.channel_id == channel.id,
            ScheduleDay.day >= first,
            ScheduleDay.day <= last,
        )
    )
    assigned = {day: template_id for day, template_id in rows}
    days = (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return {day: assigned.get(day, channel.default_template_id) for day in days}


def load_blocks(session: Session, template_ids: Iterable[int | None]) -> dict[int, list[Block]]:
    wanted = {t for t in template_ids if t is not None}
    blocks: dict[int, list[Block]] = {t: [] for t in wanted}
    if not wanted:
        return blocks
    rows = session.execute(
        select(
            TemplateBlock.template_id,
            TemplateBlock.start_minutes,
            TemplateBlock.end_minutes,
            TemplateBlock.rule_json,
        )
        .where(TemplateBlock.template_id.in_(wanted))
        .order_by(TemplateBlock.template_id, TemplateBlock.start_minutes)
    )
    for template_id, start, end, rule in rows:
        blocks[template_id].append(Block(start, end, dict(rule)))
    return blocks


def day_fingerprint(
    channel: ChannelConfig, template_id: int | None, blocks: list[Block] | None, catalog: str
) -> str:
    """Changes when anything that shapes the day changes: grid, zone, template, catalog."""
    clock = channel.clock
    data = [
        clock.timezone,
        clock.grid_minutes,
        clock.offset_minutes,
        clock.rollover_minutes,
        template_id,
        [[b.start_minutes, b.end_minutes, b.rule_json] for b in blocks or []],
        catalog,
    ]
    return hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
