"""AssetAdminService: the only write path to `catalog_asset` (besides library promotion)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from retrovue.domain.models import MediaItem
from retrovue.domain.probe import ProbeResult
from retrovue.errors import NotFoundError, ValidationError
from retrovue.infra.admin_services.approval import (
    MediaCheck,
    approved_fingerprint,
    check_as_synced,
)
from retrovue.infra.admin_services.views import asset_view
from retrovue.infra.db import Database
from retrovue.infra.limits import in_id_range
from retrovue.schedule_manager.models import ASSET_KINDS, RATING_RANK, CatalogAsset

EDITABLE = (
    "title",
    "kind",
    "duration_ms",
    "file_path",
    "tags",
    "canonical",
    "series",
    "season",
    "episode",
    "episode_title",
    "description",
    "rating",
    "year",
)


def check_asset_fields(fields: dict[str, Any]) -> None:
    """Refuse values no catalog row may hold, naming the field."""
    if "title" in fields and not str(fields["title"]).strip():
        raise ValidationError("title must not be empty", "title")
    if "kind" in fields and fields["kind"] not in ASSET_KINDS:
        raise ValidationError(
            f"kind must be one of {', '.join(ASSET_KINDS)}, not {fields['kind']!r}", "kind"
        )
    if fields.get("duration_ms") is not None and not fields["duration_ms"] > 0:
        raise ValidationError("duration must be greater than zero", "duration")
    if "file_path" in fields and not Path(fields["file_path"]).is_file():
        raise ValidationError(f"file not found: {fields['file_path']}", "path")
    for key in ("season", "episode", "year"):
        if fields.get(key) is not None and fields[key] < 0:
            raise ValidationError(f"{key} must not be negative", key)
    if fields.get("rating") is not None:
        fields["rating"] = check_rating(fields["rating"])


def check_rating(rating: str) -> str:
    """A rating on the scale rules compare against (`max_rating`), in its canonical spelling."""
    spelled = rating.strip().upper()
    if spelled not in RATING_RANK:
        raise ValidationError(
            f"unknown rating {rating!r} (known: {', '.join(RATING_RANK)})", "rating"
        )
    return spelled


def find_asset(session: Session, asset_id: int) -> CatalogAsset:
    asset = session.get(CatalogAsset, asset_id) if in_id_range(asset_id) else None
    if asset is None:
        raise NotFoundError("asset", asset_id)
    return asset


@dataclass(frozen=True)
class AssetAdminService:
    """`media_check` probes a file an operator names (the CLI passes the real probe); without
    it, files are taken as given (tests and tools that make their own catalog)."""

    db: Database
    media_check: MediaCheck | None = None

    def add_asset(
        self,
        title: str,
        duration_ms: int | None,
        file_path: str,
        tags: list[str] | None = None,
        kind: str = "program",
        canonical: bool = False,
        **guide: Any,
    ) -> dict[str, Any]:
        """Add a catalog row directly (assets that do not come through the library); its
        duration defaults to the file's, its fingerprint is the file's as added."""
        fields = {
            "title": title,
            "duration_ms": duration_ms,
            "file_path": str(Path(file_path).expanduser().resolve()),
            "tags": list(tags or []),
            "kind": kind,
            "canonical": canonical,
            **guide,
        }
        unknown = set(fields) - set(EDITABLE)
        if unknown:
            raise ValidationError(f"unknown asset field {sorted(unknown)[0]!r}")
        check_asset_fields(fields)
        probed = self._probe(fields["file_path"])
        if fields["duration_ms"] is None:
            if probed is None or probed.duration_ms is None:
                raise ValidationError("give the asset's --duration", "duration")
            fields["duration_ms"] = probed.duration_ms
        fingerprint = approved_fingerprint(fields["file_path"])
        with self.db.transaction() as session:
            asset = CatalogAsset(available=True, markers=[], fingerprint=fingerprint, **fields)
            session.add(asset)
            session.flush()
            return asset_view(asset)

    def update_asset(self, asset_id: int, **changes: Any) -> dict[str, Any]:
        """Apply the changes given (None: unchanged). A new file, or `canonical=True` (an
        operator's approval), re-takes the fingerprint of the file as it is now."""
        changes = {k: v for k, v in changes.items() if v is not None}
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValidationError(f"unknown asset field {sorted(unknown)[0]!r}")
        if "file_path" in changes:
            changes["file_path"] = str(Path(changes["file_path"]).expanduser().resolve())
        check_asset_fields(changes)
        with self.db.transaction() as session:
            asset = find_asset(session, asset_id)
            if changes.get("canonical") and not asset.available:
                raise ValidationError(
                    f"asset {asset_id} is unavailable (its file is gone); it cannot be canonical",
                    "canonical",
                )
            for key, value in changes.items():
                setattr(asset, key, value)
            if "file_path" in changes or changes.get("canonical"):
                self._approve_file(session, asset)
            session.flush()
            return asset_view(asset)

    def _probe(self, path: str) -> ProbeResult | None:
        return self.media_check(path) if self.media_check is not None else None

    def _approve_file(self, session: Session, asset: CatalogAsset) -> None:
        """Take the fingerprint of the file as approved: playable, and for a row from the
        library, the file the library last read (so its length is the file's)."""
        if not Path(asset.file_path).is_file():
            raise ValidationError(f"file not found: {asset.file_path}", "path")
        self._probe(asset.file_path)
        if asset.source_ingest_asset_id is not None:
            item = session.get(MediaItem, asset.source_ingest_asset_id)
            if item is not None:
                check_as_synced(item, asset.file_path)
        asset.fingerprint = approved_fingerprint(asset.file_path)

    def list_assets(
        self,
        canonical_only: bool = False,
        tag: str | None = None,
        kind: str | None = None,
    ) -> list[dict[str, Any]]:
        with self.db.reading() as session:
            query = select(CatalogAsset).order_by(CatalogAsset.id)
            if canonical_only:
                query = query.where(CatalogAsset.canonical, CatalogAsset.available)
            if kind:
                query = query.where(CatalogAsset.kind == kind)
            views = [asset_view(a) for a in session.scalars(query)]
        if tag:
            views = [v for v in views if tag.lower() in v["tags"]]
        return views

    def get_asset(self, asset_id: int) -> dict[str, Any]:
        with self.db.reading() as session:
            return asset_view(find_asset(session, asset_id))
