"""ORM models of the broadcast domain (PostgreSQL schema `broadcast`).

Infra writes the configuration tables (channel, template, block, schedule day, catalog);
the schedule manager writes only the playlog and its rule cursors; runtime writes only the
as-run log. On SQLite the `broadcast` schema is translated away (see `infra.db`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from retrovue.errors import RuleError

SCHEMA: Final = "broadcast"

ASSET_KINDS: Final = ("program", "commercial", "promo", "bumper", "station_id")
PLAYLOG_KINDS: Final = (*ASSET_KINDS, "slate", "black")
ASRUN_STATUSES: Final = ("aired", "substituted", "interrupted", "emergency")

NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC instant on every engine (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is required")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA, naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


def _now() -> dt.datetime:
    # Audit stamps of when a row was written: storage bookkeeping, never schedule time
    # (planning takes `now` from its caller, playout from the MasterClock).
    return dt.datetime.now(dt.UTC)


CHANNEL_KINDS: Final = ("linear", "guide")


class Channel(Base):
    __tablename__ = "broadcast_channel"
    __table_args__ = (
        CheckConstraint("grid_size_minutes IN (15, 30, 60)", name="grid_size"),
        CheckConstraint(
            "grid_offset_minutes >= 0 AND grid_offset_minutes < grid_size_minutes",
            name="grid_offset",
        ),
        CheckConstraint("rollover_minutes >= 0 AND rollover_minutes < 1440", name="rollover"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    grid_size_minutes: Mapped[int] = mapped_column(Integer, default=30)
    grid_offset_minutes: Mapped[int] = mapped_column(Integer, default=0)
    rollover_minutes: Mapped[int] = mapped_column(Integer, default=360)
    group_title: Mapped[str | None] = mapped_column(String(200))
    logo: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # "linear" airs its schedule; "guide" shows the TV guide and has no template or days.
    kind: Mapped[str] = mapped_column(String(20), default="linear", server_default="linear")
    default_template_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcast_template.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    # How the channel presents its items (runtime reads them with each scheduled item):
    # audio languages in order of preference ("eng,und"), a second audio track's language,
    # subtitles ("off", "forced" or a language), the station bug drawn on programmes, and
    # the seconds before a programme's end that "Next: TITLE" shows (None: never).
    audio_language: Mapped[str | None] = mapped_column(String(100))
    second_audio: Mapped[str | None] = mapped_column(String(3))
    subtitles: Mapped[str] = mapped_column(String(8), default="off", server_default="off")
    bug_path: Mapped[str | None] = mapped_column(Text)
    bug_position: Mapped[str] = mapped_column(
        String(12), default="bottom-right", server_default="bottom-right"
    )
    bug_opacity: Mapped[float] = mapped_column(Float, default=1.0, server_default=text("1.0"))
    next_caption_s: Mapped[int | None] = mapped_column(Integer)

    default_template: Mapped[Template | None] = relationship()


class Template(Base):
    __tablename__ = "broadcast_template"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    blocks: Mapped[list[TemplateBlock]] = relationship(
        back_populates="template",
        cascade="all, delete-orphan",
        order_by="TemplateBlock.start_minutes",
    )


class TemplateBlock(Base):
    """A daypart: `start_minutes`/`end_minutes` are local wall-clock minutes after midnight."""

    __tablename__ = "broadcast_template_block"
    __table_args__ = (
        UniqueConstraint("template_id", "start_minutes"),
        CheckConstraint("start_minutes >= 0 AND start_minutes < 1440", name="start"),
        CheckConstraint("end_minutes >= 0 AND end_minutes < 1440", name="end"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("broadcast_template.id", ondelete="CASCADE")
    )
    start_minutes: Mapped[int] = mapped_column(Integer)
    end_minutes: Mapped[int] = mapped_column(Integer)
    rule_json: Mapped[dict[str, Any]] = mapped_column(JSON)

    template: Mapped[Template] = relationship(back_populates="blocks")


class ScheduleDay(Base):
    """Which template a channel runs on one broadcast day."""

    __tablename__ = "broadcast_schedule_day"
    __table_args__ = (UniqueConstraint("channel_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("broadcast_channel.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("broadcast_template.id", ondelete="RESTRICT")
    )

    template: Mapped[Template] = relationship()


class CatalogAsset(Base):
    """What the station is cleared to run. Only canonical and available rows may air."""

    __tablename__ = "catalog_asset"
    __table_args__ = (
        CheckConstraint(_in("kind", ASSET_KINDS), name="kind"),
        CheckConstraint("duration_ms > 0", name="duration"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="program")
    duration_ms: Mapped[int] = mapped_column(BigInteger)
    file_path: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    canonical: Mapped[bool] = mapped_column(Boolean, default=False)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    series: Mapped[str | None] = mapped_column(String(500), index=True)
    season: Mapped[int | None] = mapped_column(Integer)
    episode: Mapped[int | None] = mapped_column(Integer)
    episode_title: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(20))
    air_date: Mapped[dt.date | None] = mapped_column(Date)
    year: Mapped[int | None] = mapped_column(Integer)
    markers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The fingerprint of the file as approved (`retrovue.fingerprint`); runtime airs slate for
    # a file that no longer matches it. None: approved before fingerprints were kept.
    fingerprint: Mapped[str | None] = mapped_column(String(100))
    # The library probe's facts airing needs (`retrovue.domain.probe.catalog_facts`): video
    # scan and shape, audio streams with language and loudness, subtitle streams and files.
    media: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Provenance only: the library item this row was promoted from. No foreign key crosses
    # from broadcast into library.
    source_ingest_asset_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now, onupdate=_now)


class PlaylogEvent(Base):
    """One contiguous piece of a channel's planned air: a program part, a spot, or pad.

    The playlog tier: what runtime plays, held `playlog_hours` ahead (48 by default) and filled
    from the EPG tier as time advances. Times are epoch milliseconds (UTC). `program_group`
    is the start (epoch seconds) of the guide entry the event belongs to: a program and the
    breaks inside its slot share it.
    """

    __tablename__ = "broadcast_playlog_event"
    __table_args__ = (
        UniqueConstraint("channel_id", "start_ms"),
        CheckConstraint(_in("kind", PLAYLOG_KINDS), name="kind"),
        CheckConstraint("end_ms > start_ms", name="span"),
        CheckConstraint("in_point_ms >= 0", name="in_point"),
        Index(None, "channel_id", "broadcast_day"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("broadcast_channel.id", ondelete="CASCADE"))
    broadcast_day: Mapped[dt.date] = mapped_column(Date)
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_asset.id", ondelete="RESTRICT")
    )
    in_point_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    program_group: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)

    asset: Mapped[CatalogAsset | None] = relationship()


class EpgEntry(Base):
    """One guide entry of a channel: a programme's whole slot, or slate, without its spots.

    The EPG tier, held `epg_days` ahead (14 by default); XMLTV and the guides read it, and the
    playlog tier is filled from it. `layout` is how the slot splits: the programme's break
    points with each break's length, and what fills breaks (see `breaks.SlotLayout`).
    """

    __tablename__ = "broadcast_epg_entry"
    __table_args__ = (
        UniqueConstraint("channel_id", "start_ms"),
        CheckConstraint(_in("kind", PLAYLOG_KINDS), name="kind"),
        CheckConstraint("end_ms > start_ms", name="span"),
        Index(None, "channel_id", "broadcast_day"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("broadcast_channel.id", ondelete="CASCADE"))
    broadcast_day: Mapped[dt.date] = mapped_column(Date)
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_asset.id", ondelete="RESTRICT")
    )
    note: Mapped[str | None] = mapped_column(Text)
    layout: Mapped[str | None] = mapped_column(Text)


class RuleCursor(Base):
    """Scheduling state a rule carries across days (sequential position, shuffle bag)."""

    __tablename__ = "broadcast_rule_cursor"
    __table_args__ = (UniqueConstraint("channel_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("broadcast_channel.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(500))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now, onupdate=_now)


class AsRunEvent(Base):
    """What actually went out on a channel, written by runtime as it happens."""

    __tablename__ = "broadcast_asrun_event"
    __table_args__ = (
        CheckConstraint(_in("status", ASRUN_STATUSES), name="status"),
        Index(None, "channel_id", "started_utc"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("broadcast_channel.id", ondelete="CASCADE"))
    playlog_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcast_playlog_event.id", ondelete="SET NULL")
    )
    asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_asset.id", ondelete="SET NULL")
    )
    started_utc: Mapped[dt.datetime] = mapped_column()
    ended_utc: Mapped[dt.datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    node: Mapped[str | None] = mapped_column(String(200))  # the station that wrote the row


class StationSetting(Base):
    """Station-wide values kept once (the HDHomeRun device id, for one)."""

    __tablename__ = "broadcast_station_setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- rule_json version 1: the schema of a template block's rule -------------------------------
# It lives beside the tables so that infra can validate a rule before it writes one, while the
# interpretation stays in `rules.py`.

RATING_RANK: Final = {
    "TV-Y": 0,
    "TV-Y7": 1,
    "TV-G": 2,
    "G": 2,
    "TV-PG": 3,
    "PG": 3,
    "PG-13": 4,
    "TV-14": 4,
    "R": 5,
    "TV-MA": 5,
    "NC-17": 6,
}

AssetKind = Literal["program", "commercial", "promo", "bumper", "station_id"]
Order = Literal["sequential", "random", "shuffle", "least_recently_used"]


class RuleV1(BaseModel):
    """A block's rule as station.md section 5 defines it; omitted keys take these defaults."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    tags: tuple[str, ...] = ()
    any_tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    series: tuple[str, ...] = ()
    kind: AssetKind = "program"
    max_rating: str | None = None
    min_minutes: float | None = Field(default=None, ge=0)
    max_minutes: float | None = Field(default=None, gt=0)
    order: Order = "sequential"
    overrun: Literal["extend", "skip"] = "extend"
    breaks: Literal["chapters", "even", "end", "none"] = "chapters"
    break_count: int = Field(default=3, ge=0, le=20)
    filler_tags: tuple[str, ...] = ("commercial",)
    # Bumpers: `bumper_in_tags` open a break, `bumper_out_tags` close it, `bumper_tags` may
    # do either, except that one carrying a tag of the other side's list never airs here.
    bumper_in_tags: tuple[str, ...] = ()
    bumper_out_tags: tuple[str, ...] = ()
    bumper_tags: tuple[str, ...] = ()
    pad: Literal["slate", "black"] = "slate"

    @field_validator("max_rating")
    @classmethod
    def _known_rating(cls, value: str | None) -> str | None:
        if value is not None and value.upper() not in RATING_RANK:
            known = ", ".join(RATING_RANK)
            raise ValueError(f"unknown rating {value!r} (known: {known})")
        return None if value is None else value.upper()

    @model_validator(mode="after")
    def _duration_range(self) -> RuleV1:
        if (
            self.min_minutes is not None
            and self.max_minutes is not None
            and self.min_minutes > self.max_minutes
        ):
            raise ValueError("min_minutes is greater than max_minutes")
        return self

    @classmethod
    def parse(cls, raw: object) -> RuleV1:
        """Validate a decoded rule; the error names the offending key."""
        if not isinstance(raw, dict):
            raise RuleError("rule_json must be a JSON object")
        try:
            # JSON arrays arrive as lists; strict mode wants the declared tuple type.
            return cls.model_validate(
                {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
            )
        except PydanticValidationError as error:
            first = error.errors()[0]
            key = ".".join(str(part) for part in first["loc"]) or "rule"
            if first["type"] == "extra_forbidden":
                raise RuleError(f"rule_json: unknown key {key!r}", key) from None
            raise RuleError(f"rule_json: {key}: {first['msg']}", key) from None

    def to_json(self) -> dict[str, Any]:
        """The rule with every key spelled out, as stored."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.model_dump().items()}


# --- prepared renditions ----------------------------------------------------------------------

RENDITION_STATES: Final = ("ready", "failed")


class Rendition(Base):
    """A catalog asset already in the channel output profile, made once to air many times.

    Runtime's preparer writes these through the schedule manager. `key` names the source
    file's fingerprint and every setting that shapes the output, so a changed file or setting
    is never answered by an old row; `source_fingerprint` is that file's fingerprint as made.
    """

    __tablename__ = "broadcast_rendition"
    __table_args__ = (
        UniqueConstraint("asset_id", "key"),
        CheckConstraint(_in("state", RENDITION_STATES), name="state"),
        CheckConstraint("size_bytes >= 0", name="size"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("catalog_asset.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    source_fingerprint: Mapped[str] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    made_at: Mapped[dt.datetime] = mapped_column()
    last_aired_at: Mapped[dt.datetime | None] = mapped_column()
