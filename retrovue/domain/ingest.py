"""Writing what a sync learned about one file into the library tables (session passed in)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from retrovue.domain import qc
from retrovue.domain.editorial import Editorial
from retrovue.domain.markers import MarkerSpec, ordered
from retrovue.domain.models import (
    EditorialMetadata,
    Marker,
    MediaItem,
    ProviderRef,
    ReviewItem,
    Source,
)
from retrovue.domain.probe import ProbeResult

# Operator decisions a re-probe keeps, unless the new file fails QC.
DECIDED = ("approved", "rejected", "promoted")


@dataclass(frozen=True)
class Observation:
    """Everything known about one file after discovery and probing."""

    path: str
    size: int
    mtime_ns: int
    probe: ProbeResult | None
    error: str | None
    editorial: Editorial
    markers: Sequence[MarkerSpec]
    provider: tuple[str, str, int | None] | None = None  # (provider, key, updated_at)


def record(session: Session, source: Source, item_id: int | None, seen: Observation) -> MediaItem:
    """Create or refresh the item at `seen.path`; a QC failure opens a review item."""
    item = session.get(MediaItem, item_id) if item_id is not None else None
    if item is None:
        item = MediaItem(
            source=source, path=seen.path, kind=source.default_kind, state="discovered"
        )
        session.add(item)
    flags: list[str] = list(qc.check(seen.probe))
    item.size = seen.size
    item.mtime_ns = seen.mtime_ns
    item.probe = seen.probe.to_json() if seen.probe is not None else None
    item.duration_ms = seen.probe.duration_ms if seen.probe is not None else None
    item.qc_flags = flags
    item.error = seen.error
    item.soft_deleted = False
    if flags:
        item.state = "needs_review"
        _open_review(item, qc.describe(flags, seen.error))
    elif item.state not in DECIDED:
        item.state = "discovered"
    _write_editorial(item, seen.editorial, seen.path)
    item.markers = [
        Marker(kind=m.kind, start_ms=m.start_ms, end_ms=m.end_ms, title=m.title)
        for m in ordered(seen.markers)
    ]
    if seen.provider is not None:
        _write_provider(item, *seen.provider)
    return item


def _open_review(item: MediaItem, reason: str) -> None:
    if any(r.status == "open" and r.reason == reason for r in item.reviews):
        return
    item.reviews.append(ReviewItem(reason=reason, status="open"))


def _write_editorial(item: MediaItem, editorial: Editorial, path: str) -> None:
    meta = item.meta
    if meta is None:
        meta = EditorialMetadata(title="")
        item.meta = meta
    meta.title = (editorial.title or path.rsplit("/", 1)[-1])[:500]
    meta.series = editorial.series
    meta.season = editorial.season
    meta.episode = editorial.episode
    meta.plot = editorial.plot
    meta.genres = list(editorial.genres)
    meta.content_rating = editorial.content_rating
    meta.air_date = editorial.air_date
    meta.year = editorial.year


def _write_provider(item: MediaItem, provider: str, key: str, updated_at: int | None) -> None:
    for ref in item.provider_refs:
        if ref.provider == provider:
            ref.key, ref.updated_at = key, updated_at
            return
    item.provider_refs.append(ProviderRef(provider=provider, key=key, updated_at=updated_at))
