"""Operator review of library items, and nominating reviewed items for promotion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from retrovue.domain import qc
from retrovue.domain.markers import MarkerSpec
from retrovue.domain.models import EditorialMetadata, MediaItem, ReviewItem, Source
from retrovue.domain.paths import PathResolver
from retrovue.errors import NotFoundError, PromotionError, ValidationError

PROMOTABLE = ("discovered", "approved", "promoted", "needs_review")


# Item ids are 32-bit INTEGERs; a larger number names no item on any engine.
MAX_ITEM_ID = 2**31 - 1


def get_item(session: Session, item_id: int) -> MediaItem:
    item = session.get(MediaItem, item_id) if 0 < item_id <= MAX_ITEM_ID else None
    if item is None:
        raise NotFoundError("library item", item_id)
    return item


def review(session: Session, item_id: int, approve: bool, notes: str | None) -> MediaItem:
    """Record the operator's decision; open review items are resolved with their notes."""
    item = get_item(session, item_id)
    hard = qc.blocks_canonical(list(item.qc_flags), operator_approved=True)
    if approve and hard:
        raise ValidationError(
            f"library item {item_id} cannot be approved: {qc.describe(hard, item.error)}; "
            "fix the file and sync again"
        )
    decision = "approved" if approve else "rejected"
    opened = [r for r in item.reviews if r.status == "open"]
    for entry in opened:
        entry.status = "resolved"
        entry.notes = notes
    if not opened:
        item.reviews.append(
            ReviewItem(reason=f"operator {decision}", notes=notes, status="resolved")
        )
    item.state = decision
    return item


@dataclass(frozen=True)
class Nomination:
    """A library item put forward for the catalog: what the guide and the scheduler need.

    `file_path` is already resolved through the source's path mappings; whether the file is
    there is the promoter's check, at the moment it writes.
    """

    item_id: int
    title: str
    series: str | None
    season: int | None
    episode: int | None
    episode_title: str | None
    description: str | None
    rating: str | None
    air_date: dt.date | None
    year: int | None
    duration_ms: int
    kind: str
    tags: tuple[str, ...]
    file_path: str
    source_path: str
    markers: tuple[MarkerSpec, ...]


def select_items(
    session: Session,
    ids: Sequence[int] = (),
    source: str | None = None,
    series: str | None = None,
    approved_only: bool = False,
) -> list[MediaItem]:
    """Items named by id, or a source's items (optionally one series, or approved only)."""
    query = select(MediaItem).options(
        selectinload(MediaItem.meta),
        selectinload(MediaItem.markers),
        selectinload(MediaItem.source).selectinload(Source.mappings),
    )
    if ids:
        known = [i for i in ids if 0 < i <= MAX_ITEM_ID]
        items = {i.id: i for i in session.scalars(query.where(MediaItem.id.in_(known)))}
        for item_id in ids:
            if item_id not in items:
                raise NotFoundError("library item", item_id)
        return [items[i] for i in ids]
    if source is None:
        raise PromotionError("name the items to promote, or a source with --source")
    found = session.scalar(select(Source).where(Source.name == source))
    if found is None:
        raise NotFoundError("source", source)
    query = query.where(MediaItem.source_id == found.id, ~MediaItem.soft_deleted)
    if series is not None:
        query = query.join(EditorialMetadata).where(EditorialMetadata.series == series)
    if approved_only:
        query = query.where(MediaItem.state == "approved")
    else:
        # A bulk promotion takes what passed QC or was approved; flagged and rejected items
        # wait for an operator to name them.
        query = query.where(MediaItem.state.in_(("discovered", "approved", "promoted")))
    return list(session.scalars(query.order_by(MediaItem.id)))


def nominate(item: MediaItem, canonical: bool, extra_tags: Sequence[str] = ()) -> Nomination:
    """Check an item may be promoted as asked and describe it for the catalog."""
    label = f"library item {item.id} ({item.path})"
    if item.soft_deleted:
        raise PromotionError(f"{label} is gone from its source; it cannot be promoted")
    if item.state == "rejected":
        raise PromotionError(f"{label} was rejected in review; approve it first")
    if item.state not in PROMOTABLE:
        raise PromotionError(f"{label} is {item.state}; it cannot be promoted")
    blockers = canonical_blockers(item)
    if canonical and blockers:
        raise PromotionError(
            f"{label} failed QC ({qc.describe(blockers)}); it cannot be promoted canonical "
            "(review it, or promote with --no-canonical to stage it)"
        )
    if not item.duration_ms or item.duration_ms <= 0:
        raise PromotionError(f"{label} has no known duration; it cannot be promoted")
    meta = item.meta or EditorialMetadata(title=item.path.rsplit("/", 1)[-1], genres=[])
    episode_like = meta.series is not None
    tags = normal_tags([*meta.genres, *item.source.tags, *extra_tags])
    resolver = PathResolver.of((m.from_path, m.to_path) for m in item.source.mappings)
    return Nomination(
        item_id=item.id,
        title=meta.series if episode_like and meta.series else meta.title,
        series=meta.series,
        season=meta.season,
        episode=meta.episode,
        episode_title=meta.title if episode_like else None,
        description=meta.plot,
        rating=meta.content_rating,
        air_date=meta.air_date,
        year=meta.year,
        duration_ms=item.duration_ms,
        kind=item.kind,
        tags=tags,
        file_path=resolver.resolve(item.path),
        source_path=item.path,
        markers=item_markers(item),
    )


def normal_tags(tags: Iterable[object]) -> tuple[str, ...]:
    """Tags as the catalog matches them: trimmed, lower case, each once, blanks dropped."""
    return tuple(dict.fromkeys(t for t in (str(tag).strip().lower() for tag in tags) if t))


def item_markers(item: MediaItem) -> tuple[MarkerSpec, ...]:
    """The item's markers as the catalog keeps them."""
    # The table's CHECK constraint keeps `kind` to the MarkerKind values.
    return tuple(
        MarkerSpec(m.kind, m.start_ms, m.end_ms, m.title)  # type: ignore[arg-type]
        for m in item.markers
    )


def canonical_blockers(item: MediaItem) -> list[str]:
    """The QC flags that keep the item off air: hard ones always, the rest until reviewed."""
    return qc.blocks_canonical(list(item.qc_flags), item.state in ("approved", "promoted"))


def reopen(item: MediaItem, reason: str) -> None:
    """Send an item back to the review queue with an open review saying why (a rejected item
    stays rejected)."""
    if item.state != "rejected":
        item.state = "needs_review"
    if not any(r.status == "open" and r.reason == reason for r in item.reviews):
        item.reviews.append(ReviewItem(reason=reason, status="open"))


def mark_promoted(items: Sequence[MediaItem]) -> None:
    for item in items:
        item.state = "promoted"
