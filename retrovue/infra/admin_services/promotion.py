"""PromotionService: library nominations become catalog rows; vanished media is withdrawn."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from retrovue.domain.models import MediaItem
from retrovue.domain.probe import catalog_facts
from retrovue.domain.qc import describe
from retrovue.domain.review import (
    Nomination,
    canonical_blockers,
    item_markers,
    mark_promoted,
    nominate,
    normal_tags,
    reopen,
    select_items,
)
from retrovue.errors import PromotionError, ValidationError
from retrovue.infra.admin_services.approval import (
    approved_fingerprint,
    check_as_synced,
    current_fingerprint,
)
from retrovue.infra.admin_services.views import asset_view
from retrovue.infra.db import Database
from retrovue.infra.limits import check_text
from retrovue.schedule_manager.models import ASSET_KINDS, CatalogAsset

log = logging.getLogger("retrovue.promotion")

TITLE_LENGTH = 500  # catalog_asset.title


@dataclass(frozen=True)
class PromotionService:
    db: Database

    def promote(
        self,
        ids: Sequence[int] = (),
        *,
        source: str | None = None,
        series: str | None = None,
        approved_only: bool = False,
        title: str | None = None,
        tags: Sequence[str] = (),
        kind: str | None = None,
        canonical: bool | None = None,
    ) -> list[dict[str, Any]]:
        """Write (or refresh) one catalog row per item, all or nothing.

        `canonical` is the operator's word: None leaves an existing row's status as it is
        (a new row is canonical); every row written takes the fingerprint of its file.
        """
        if kind is not None and kind not in ASSET_KINDS:
            raise ValidationError(f"kind must be one of {', '.join(ASSET_KINDS)}", "kind")
        if title is not None and not check_text(title, "title", TITLE_LENGTH).strip():
            raise ValidationError("title must not be empty", "title")
        with self.db.transaction() as session:
            items = select_items(session, ids, source, series, approved_only)
            if not items:
                what = "approved items" if approved_only else "promotable items"
                raise PromotionError(f"source {source} has no {what}" + _series_note(series))
            if not ids:
                # A bulk promotion nominates what is new: a row already promoted may carry an
                # operator's edits (--no-canonical, a retag), changed only by naming its item.
                items = [i for i in items if i.state != "promoted"]
            if title is not None and len(items) > 1:
                raise ValidationError("--title names one item; promote it on its own", "title")
            views = []
            for item in items:
                asset = _existing(session, item.id)
                cleared = canonical if canonical is not None else asset is None or asset.canonical
                nomination = nominate(item, cleared, tags)
                _check_file(item, nomination)
                asset = _write(session, asset, nomination, cleared, title, kind, tags)
                asset.media = catalog_facts(item.probe)
                views.append(asset_view(asset))
            mark_promoted(items)
            return views


def _series_note(series: str | None) -> str:
    return f" in series {series!r}" if series else ""


def _check_file(item: MediaItem, nom: Nomination) -> None:
    """The file must be there, and as the library last read it."""
    if not Path(nom.file_path).is_file():
        mapped = "" if nom.file_path == nom.source_path else f" (mapped from {nom.source_path})"
        raise PromotionError(
            f"library item {nom.item_id}: file {nom.file_path} does not exist{mapped}; "
            "check the source's path mappings (source map-path)"
        )
    check_as_synced(item, nom.file_path)


def _existing(session: Session, item_id: int) -> CatalogAsset | None:
    return session.scalar(
        select(CatalogAsset).where(CatalogAsset.source_ingest_asset_id == item_id)
    )


def _write(
    session: Session,
    asset: CatalogAsset | None,
    nom: Nomination,
    canonical: bool,
    title: str | None,
    kind: str | None,
    extra_tags: Sequence[str],
) -> CatalogAsset:
    """A new row takes the whole nomination; an existing one takes the file's technical fields
    and the flags given, keeping the title, kind, tags and guide text an operator may have set."""
    if asset is None:
        asset = CatalogAsset(source_ingest_asset_id=nom.item_id)
        session.add(asset)
        asset.title = nom.title
        asset.kind = nom.kind
        asset.tags = list(nom.tags)
        asset.series = nom.series
        asset.season = nom.season
        asset.episode = nom.episode
        asset.episode_title = nom.episode_title
        asset.description = nom.description
        asset.rating = nom.rating
        asset.air_date = nom.air_date
        asset.year = nom.year
    else:
        asset.tags = list(normal_tags([*asset.tags, *extra_tags]))
    if title is not None:
        asset.title = title
    asset.title = asset.title[:TITLE_LENGTH]
    if kind is not None:
        asset.kind = kind
    asset.duration_ms = nom.duration_ms
    asset.file_path = nom.file_path
    asset.markers = [m.to_json() for m in nom.markers]
    asset.fingerprint = approved_fingerprint(nom.file_path)
    asset.canonical = canonical
    asset.available = True
    session.flush()
    return asset


def withdraw_vanished(session: Session, item_ids: Sequence[int]) -> int:
    """Catalog rows promoted from vanished items may not air: unavailable and non-canonical."""
    if not item_ids:
        return 0
    rows = session.execute(
        update(CatalogAsset)
        .where(CatalogAsset.source_ingest_asset_id.in_(item_ids))
        .values(available=False, canonical=False)
        .returning(CatalogAsset.id, CatalogAsset.source_ingest_asset_id, CatalogAsset.file_path)
    ).all()
    for asset_id, item_id, path in rows:
        log.warning(
            "catalog asset %s withdrawn: library item %s is gone (%s)", asset_id, item_id, path
        )
    return len(rows)


def restore_returned(session: Session, item_ids: Sequence[int]) -> int:
    """Media that came back is available again, but stays off air until promoted again."""
    if not item_ids:
        return 0
    rows = session.execute(
        update(CatalogAsset)
        .where(CatalogAsset.source_ingest_asset_id.in_(item_ids))
        .values(available=True)
        .returning(CatalogAsset.id, CatalogAsset.source_ingest_asset_id)
    ).all()
    for asset_id, item_id in rows:
        log.info(
            "catalog asset %s available again (library item %s is back); still non-canonical",
            asset_id,
            item_id,
        )
    return len(rows)


def refresh_changed(session: Session, item_ids: Sequence[int]) -> int:
    """Catalog rows promoted from re-read files take their new length and markers. A row whose
    file is no longer the one approved, whose length changed, or which now fails QC goes off
    air, and its library item back to review, until an operator approves it again."""
    if not item_ids:
        return 0
    assets = session.scalars(
        select(CatalogAsset).where(CatalogAsset.source_ingest_asset_id.in_(item_ids))
    ).all()
    for asset in assets:
        item = session.get(MediaItem, asset.source_ingest_asset_id)
        if item is None:
            continue
        changes = _changes(asset, item)
        if item.duration_ms is not None and item.duration_ms > 0:
            asset.duration_ms = item.duration_ms
            asset.markers = [m.to_json() for m in item_markers(item)]
            asset.media = catalog_facts(item.probe)
        if not changes:
            continue
        why = "; ".join(changes)
        if asset.canonical:
            asset.canonical = False
            log.warning(
                "catalog asset %s taken off air: library item %s changed (%s)",
                asset.id,
                item.id,
                why,
            )
        reopen(item, f"file changed since it was approved ({why}); approve and promote it again")
    session.flush()
    return len(assets)


def _changes(asset: CatalogAsset, item: MediaItem) -> list[str]:
    """What makes a re-read file no longer the one the operator approved."""
    changes = []
    if asset.fingerprint is None or current_fingerprint(asset.file_path) != asset.fingerprint:
        changes.append("not the file approved")
    if item.duration_ms is not None and item.duration_ms != asset.duration_ms:
        changes.append(f"length {asset.duration_ms} ms is now {item.duration_ms} ms")
    blockers = canonical_blockers(item)
    if blockers:
        changes.append(f"failed QC: {describe(blockers, item.error)}")
    return changes
