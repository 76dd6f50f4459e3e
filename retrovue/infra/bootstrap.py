"""The CLI's composition root: one database, the admin services built on it."""

from __future__ import annotations

from dataclasses import dataclass

from retrovue.infra.admin_services import (
    AssetAdminService,
    ChannelAdminService,
    ScheduleAdminService,
    TemplateAdminService,
)
from retrovue.infra.admin_services.approval import check_playable
from retrovue.infra.admin_services.promotion import PromotionService
from retrovue.infra.db import Database, open_database, upgrade_database
from retrovue.infra.library_services import LibraryService
from retrovue.infra.limits import guard

__all__ = ["Station", "open_station", "upgrade_database"]


@dataclass(frozen=True)
class Station:
    """What an operator command works with."""

    db: Database
    channels: ChannelAdminService
    templates: TemplateAdminService
    schedule: ScheduleAdminService
    assets: AssetAdminService
    library: LibraryService
    promotion: PromotionService

    def close(self) -> None:
        self.db.dispose()


def open_station(url: str | None = None) -> Station:
    """Open (creating and migrating on first use) the database at `url` or the default."""
    db = open_database(url)
    # What an operator writes is held to the limits both engines share before any flush.
    guard(db.sessions)
    return Station(
        db=db,
        channels=ChannelAdminService(db),
        templates=TemplateAdminService(db),
        schedule=ScheduleAdminService(db),
        assets=AssetAdminService(db, media_check=check_playable),
        library=LibraryService(db),
        promotion=PromotionService(db),
    )
