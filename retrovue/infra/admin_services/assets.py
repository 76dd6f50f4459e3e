"""AssetAdminService: the only write path to `catalog_asset` (besides library promotion)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from retrovue.errors import NotFoundError, ValidationError
from retrovue.infra.admin_services.views import asset_view
from retrovue.infra.db import Database
from retrovue.schedule_manager.models import ASSET_KINDS, CatalogAsset

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
    if "duration_ms" in fields and not fields["duration_ms"] > 0:
        raise ValidationError("duration must be greater than zero", "duration")
    if "file_path" in fields and not Path(fields["file_path"]).is_file():
        raise ValidationError(f"file not found: {fields['file_path']}", "path")
    for key in ("season", "episode", "year"):
        if fields.get(key) is not None and fields[key] < 0:
            raise ValidationError(f"{key} must not be negative", key)


@dataclass(frozen=True)
class AssetAdminService:
    db: Database

    def add_asset(
        self,
        title: str,
        duration_ms: int,
        file_path: str,
        tags: list[str] | None = None,
        kind: str = "program",
        canonical: bool = False,
        **guide: Any,
    ) -> dict[str, Any]:
        """Add a catalog row directly (assets that do not come through the library)."""
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
        with self.db.transaction() as session:
            asset = CatalogAsset(available=True, markers=[], **fields)
            session.add(asset)
            session.flush()
            return asset_view(asset)

    def update_asset(self, asset_id: int, **changes: Any) -> dict[str, Any]:
        changes = {k: v for k, v in changes.items() if v is not None}
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValidationError(f"unknown asset field {sorted(unknown)[0]!r}")
        if "file_path" in changes:
            changes["file_path"] = str(Path(changes["file_path"]).expanduser().resolve())
        check_asset_fields(changes)
        with self.db.transaction() as session:
            asset = session.get(CatalogAsset, asset_id)
            if asset is None:
                raise NotFoundError("asset", asset_id)
            if changes.get("canonical") and not asset.available:
                raise ValidationError(
                    f"asset {asset_id} is unavailable (its file is gone); it cannot be canonical",
                    "canonical",
                )
            for key, value in changes.items():
                setattr(asset, key, value)
            session.flush()
            return asset_view(asset)

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
            asset = session.get(CatalogAsset, asset_id)
            if asset is None:
                raise NotFoundError("asset", asset_id)
            return asset_view(asset)
