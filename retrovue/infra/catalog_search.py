"""Catalog search for the operator console: filtered, counted and paged in one light read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, func, select

from retrovue.infra.db import Database
from retrovue.schedule_manager.models import CatalogAsset

COLUMNS = (
    CatalogAsset.id, CatalogAsset.title, CatalogAsset.kind, CatalogAsset.duration_ms,
    CatalogAsset.tags, CatalogAsset.canonical, CatalogAsset.available, CatalogAsset.series,
    CatalogAsset.season, CatalogAsset.episode,
)  # fmt: skip


@dataclass(frozen=True)
class CatalogQuery:
    """What to find; None means any. `text` is matched in the title or the series."""

    text: str | None = None
    kind: str | None = None
    tag: str | None = None
    series: str | None = None
    canonical: bool | None = None
    available: bool | None = None


@dataclass(frozen=True)
class CatalogPage:
    rows: list[dict[str, Any]]
    total: int
    series: list[str]


def search_catalog(db: Database, query: CatalogQuery, offset: int, limit: int) -> CatalogPage:
    """Rows `offset`..`offset + limit` of the matches, ordered by id, with the match count and
    every series name (for the filter). Only list columns are read, never whole rows."""
    conditions = []
    if query.kind:
        conditions.append(CatalogAsset.kind == query.kind)
    if query.series:
        conditions.append(CatalogAsset.series == query.series)
    if query.canonical is not None:
        conditions.append(CatalogAsset.canonical.is_(query.canonical))
    if query.available is not None:
        conditions.append(CatalogAsset.available.is_(query.available))
    if query.text:
        pattern = f"%{_escaped(query.text.lower())}%"
        conditions.append(
            func.lower(CatalogAsset.title).like(pattern, escape="\\")
            | func.lower(func.coalesce(CatalogAsset.series, "")).like(pattern, escape="\\")
        )
    wanted = query.tag.lower() if query.tag else None
    if wanted:
        # Tags are a JSON list on every engine: the stored text narrows the rows, the decoded
        # list decides (as `catalog list --tag` matches).
        quoted = f"%{_escaped(json.dumps(wanted))}%"
        conditions.append(cast(CatalogAsset.tags, String).like(quoted, escape="\\"))
    chosen = select(*COLUMNS).where(*conditions).order_by(CatalogAsset.id)
    with db.connection() as connection:
        if wanted:
            found = [dict(r._mapping) for r in connection.execute(chosen)]
            found = [r for r in found if wanted in r["tags"]]
            total, rows = len(found), found[offset : offset + limit]
        else:
            counted = select(func.count()).select_from(CatalogAsset).where(*conditions)
            total = int(connection.execute(counted).scalar_one())
            paged = chosen.offset(offset).limit(limit)
            rows = [dict(r._mapping) for r in connection.execute(paged)]
        names = connection.execute(
            select(CatalogAsset.series).where(CatalogAsset.series.is_not(None)).distinct()
        ).scalars()
        series = sorted(str(n) for n in names if n)
    return CatalogPage(rows, total, series)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
