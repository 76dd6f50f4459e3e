"""JSON-ready views of broadcast configuration rows (the keys `--json` prints)."""

from __future__ import annotations

from typing import Any

from retrovue.infra.admin_services.parsing import format_clock
from retrovue.schedule_manager.models import CatalogAsset, Channel, Template, TemplateBlock


def channel_view(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "number": channel.number,
        "name": channel.name,
        "timezone": channel.timezone,
        "grid_size": channel.grid_size_minutes,
        "grid_offset": channel.grid_offset_minutes,
        "rollover": format_clock(channel.rollover_minutes),
        "group": channel.group_title,
        "logo": channel.logo,
        "active": channel.active,
        "type": channel.kind,
        "default_template": channel.default_template.name if channel.default_template else None,
    }


def block_view(block: TemplateBlock) -> dict[str, Any]:
    return {
        "id": block.id,
        "start": format_clock(block.start_minutes),
        "end": format_clock(block.end_minutes),
        "rule": block.rule_json,
    }


def template_view(template: Template) -> dict[str, Any]:
    return {
        "id": template.id,
        "name": template.name,
        "description": template.description,
        "blocks": [block_view(b) for b in template.blocks],
    }


def asset_view(asset: CatalogAsset) -> dict[str, Any]:
    return {
        "id": asset.id,
        "title": asset.title,
        "kind": asset.kind,
        "duration_ms": asset.duration_ms,
        "file_path": asset.file_path,
        "tags": list(asset.tags),
        "canonical": asset.canonical,
        "available": asset.available,
        "series": asset.series,
        "season": asset.season,
        "episode": asset.episode,
        "episode_title": asset.episode_title,
        "description": asset.description,
        "rating": asset.rating,
        "air_date": asset.air_date.isoformat() if asset.air_date else None,
        "year": asset.year,
        "markers": list(asset.markers),
        "fingerprint": asset.fingerprint,
        "source_ingest_asset_id": asset.source_ingest_asset_id,
    }
