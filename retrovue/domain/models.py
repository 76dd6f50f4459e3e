"""ORM models of the library domain (PostgreSQL schema `library`), apart from broadcast's."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Final, Literal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

SCHEMA: Final = "library"

SOURCE_TYPES: Final = ("filesystem", "plex", "jellyfin", "emby")
# Sources read over a media server's HTTP API rather than from folders.
SERVER_TYPES: Final = ("plex", "jellyfin", "emby")
ITEM_KINDS: Final = ("program", "commercial", "promo", "bumper", "station_id")
STATES: Final = ("discovered", "needs_review", "approved", "rejected", "promoted")
MARKER_KINDS: Final = ("chapter", "intro", "credits", "break")
REVIEW_STATUSES: Final = ("open", "resolved")

State = Literal["discovered", "needs_review", "approved", "rejected", "promoted"]
MarkerKind = Literal["chapter", "intro", "credits", "break"]

# The same convention as the broadcast metadata, so constraint names are predictable in
# migrations on both engines.
NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class LibraryBase(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA, naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {list[Any]: JSON, dict[str, Any]: JSON}


class Source(LibraryBase):
    """Where media comes from: root folders on disk, or a media server's libraries."""

    __tablename__ = "library_source"
    __table_args__ = (CheckConstraint(_in("type", SOURCE_TYPES), name="type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    default_kind: Mapped[str] = mapped_column(String(20), default="program")
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    url: Mapped[str | None] = mapped_column(Text)
    token: Mapped[str | None] = mapped_column(Text)
    # Media server library names to read; empty means every video library.
    libraries: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The server's own clock at the start of the last sync that completed: the next sync asks
    # only for what was saved since (Jellyfin's and Emby's MinDateLastSaved).
    sync_marker: Mapped[str | None] = mapped_column(Text)

    paths: Mapped[list[SourcePath]] = relationship(
        back_populates="source", cascade="all, delete-orphan", order_by="SourcePath.id"
    )
    mappings: Mapped[list[PathMapping]] = relationship(
        back_populates="source", cascade="all, delete-orphan", order_by="PathMapping.id"
    )


class SourcePath(LibraryBase):
    """One root folder a filesystem source scans."""

    __tablename__ = "library_source_path"
    __table_args__ = (UniqueConstraint("source_id", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("library_source.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="paths")


class PathMapping(LibraryBase):
    """Translates a source's path prefix to where RetroVue can open the file."""

    __tablename__ = "library_path_mapping"
    __table_args__ = (UniqueConstraint("source_id", "from_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("library_source.id", ondelete="CASCADE"))
    from_path: Mapped[str] = mapped_column(Text)
    to_path: Mapped[str] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="mappings")


class MediaItem(LibraryBase):
    """One media file as the source reports it, with what probing and QC found."""

    __tablename__ = "library_media_item"
    __table_args__ = (
        UniqueConstraint("source_id", "path"),
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint(_in("kind", ITEM_KINDS), name="kind"),
        Index(None, "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("library_source.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    mtime_ns: Mapped[int] = mapped_column(BigInteger, default=0)
    kind: Mapped[str] = mapped_column(String(20), default="program")
    probe: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    qc_flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="discovered")
    soft_deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    source: Mapped[Source] = relationship()
    meta: Mapped[EditorialMetadata | None] = relationship(
        back_populates="item", cascade="all, delete-orphan", uselist=False
    )
    markers: Mapped[list[Marker]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Marker.start_ms"
    )
    provider_refs: Mapped[list[ProviderRef]] = relationship(
        back_populates="item", cascade="all, delete-orphan"
    )
    reviews: Mapped[list[ReviewItem]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ReviewItem.id"
    )


class EditorialMetadata(LibraryBase):
    """What an item is, from `.nfo` sidecars, Plex, or failing those the file name."""

    __tablename__ = "library_metadata"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("library_media_item.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(String(500))
    series: Mapped[str | None] = mapped_column(String(500), index=True)
    season: Mapped[int | None] = mapped_column(Integer)
    episode: Mapped[int | None] = mapped_column(Integer)
    plot: Mapped[str | None] = mapped_column(Text)
    genres: Mapped[list[Any]] = mapped_column(JSON, default=list)
    content_rating: Mapped[str | None] = mapped_column(String(20))
    air_date: Mapped[dt.date | None] = mapped_column(Date)
    year: Mapped[int | None] = mapped_column(Integer)

    item: Mapped[MediaItem] = relationship(back_populates="meta")


class Marker(LibraryBase):
    """A point or span in an item: chapter, intro, credits, or an ad-break candidate."""

    __tablename__ = "library_marker"
    __table_args__ = (CheckConstraint(_in("kind", MARKER_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("library_media_item.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int | None] = mapped_column(BigInteger)
    title: Mapped[str | None] = mapped_column(String(500))

    item: Mapped[MediaItem] = relationship(back_populates="markers")


class ProviderRef(LibraryBase):
    """An item's identity at an outside provider (a server's item id, an IMDb id), and the
    provider's change token for it (Plex `updatedAt`, a Jellyfin or Emby `Etag`)."""

    __tablename__ = "library_provider_ref"
    __table_args__ = (UniqueConstraint("item_id", "provider"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("library_media_item.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(50))
    key: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[str | None] = mapped_column(String(200))

    item: Mapped[MediaItem] = relationship(back_populates="provider_refs")


class ReviewItem(LibraryBase):
    """Why an item needs an operator's eyes (QC flags, a read error) and what they decided."""

    __tablename__ = "library_review_item"
    __table_args__ = (CheckConstraint(_in("status", REVIEW_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("library_media_item.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")

    item: Mapped[MediaItem] = relationship(back_populates="reviews")
