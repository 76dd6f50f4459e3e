"""JSON-ready views of library rows (the keys `source ... --json` and `assets ... --json` print)."""

from __future__ import annotations

from typing import Any

from retrovue.domain.models import MediaItem, Source


def source_view(source: Source, states: dict[str, int]) -> dict[str, Any]:
    return {
        "id": source.id,
        "name": source.name,
        "type": source.type,
        "kind": source.default_kind,
        "tags": list(source.tags),
        "paths": [p.path for p in source.paths],
        "url": source.url,
        "libraries": list(source.libraries),
        "mappings": [{"from": m.from_path, "to": m.to_path} for m in source.mappings],
        # The server's clock at the start of the last completed sync (Jellyfin and Emby).
        "synced_since": source.sync_marker,
        "items": sum(states.values()),
        "states": states,
    }


def item_view(item: MediaItem) -> dict[str, Any]:
    meta = item.meta
    return {
        "id": item.id,
        "source": item.source.name,
        "state": item.state,
        "kind": item.kind,
        "title": meta.title if meta else None,
        "series": meta.series if meta else None,
        "season": meta.season if meta else None,
        "episode": meta.episode if meta else None,
        "duration_ms": item.duration_ms,
        "qc_flags": list(item.qc_flags),
        "error": item.error,
        "soft_deleted": item.soft_deleted,
        "path": item.path,
    }


def item_detail(item: MediaItem) -> dict[str, Any]:
    meta = item.meta
    return {
        **item_view(item),
        "size": item.size,
        "plot": meta.plot if meta else None,
        "genres": list(meta.genres) if meta else [],
        "content_rating": meta.content_rating if meta else None,
        "air_date": meta.air_date.isoformat() if meta and meta.air_date else None,
        "year": meta.year if meta else None,
        "probe": item.probe,
        "markers": [
            {"kind": m.kind, "start_ms": m.start_ms, "end_ms": m.end_ms, "title": m.title}
            for m in item.markers
        ],
        "provider_refs": [
            {"provider": r.provider, "key": r.key, "updated_at": r.updated_at, "version": r.version}
            for r in item.provider_refs
        ],
        "reviews": [
            {"id": r.id, "reason": r.reason, "notes": r.notes, "status": r.status}
            for r in item.reviews
        ],
    }
