"""The CLI's composition root: one database, the admin services built on it."""

from __future__ import annotations

from dataclasses import dataclass

from retrovue.infra.admin_services import (
    AssetAdminService,
    ChannelAdminService,
    ScheduleAdminService,
    TemplateAdminService,
)
from retrovue.infra.admin_services.promotion import PromotionService
from retrovue.infra.db import Database, open_database
from retrovue.infra.library_services import LibraryService


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
    return Station(
        db=db,
        channels=ChannelAdminService(db),
        templates=TemplateAdminService(db),
        schedule=ScheduleAdminService(db),
        assets=AssetAdminService(db),
        library=LibraryService(db),
        promotion=PromotionService(db),
    )
