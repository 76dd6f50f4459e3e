"""Every table RetroVue's migrations make, for Alembic's comparisons."""

from __future__ import annotations

from sqlalchemy import MetaData

from retrovue.domain.models import LibraryBase
from retrovue.schedule_manager.models import Base as BroadcastBase


def target_metadata() -> list[MetaData]:
    """The broadcast domain's metadata, then the library domain's (each in its own schema)."""
    return [BroadcastBase.metadata, LibraryBase.metadata]
