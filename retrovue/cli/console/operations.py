"""Every call the console makes into the station's services, in one place.

Routes parse a form, call one of these, and render: when a service's signature changes, this
module is the one to change. Each call is one unit of work of the service it calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from retrovue.domain.sync import Progress
from retrovue.errors import NotFoundError
from retrovue.infra import catalog_search
from retrovue.infra.admin_services.parsing import parse_clock
from retrovue.infra.bootstrap import Station
from retrovue.infra.catalog_search import CatalogPage, CatalogQuery
from retrovue.schedule_manager.airing import ScheduledItem
from retrovue.schedule_manager.asrun_log import AsRunRow, asrun_day
from retrovue.schedule_manager.schedule_service import ScheduleService

View = dict[str, Any]


# -- channels ------------------------------------------------------------------------------
def list_channels(s: Station) -> list[View]:
    return s.channels.list_channels()


def get_channel(s: Station, number: int) -> View:
    return s.channels.get_channel(number)


def add_channel(s: Station, number: int, name: str, **fields: Any) -> View:
    return s.channels.create_channel(number, name, **fields)


def update_channel(s: Station, number: int, **changes: Any) -> View:
    return s.channels.update_channel(number, **changes)


def remove_channel(s: Station, number: int) -> None:
    s.channels.remove_channel(number)


# -- catalog -------------------------------------------------------------------------------
def search_catalog(s: Station, query: CatalogQuery, offset: int, limit: int) -> CatalogPage:
    return catalog_search.search_catalog(s.db, query, offset, limit)


def get_asset(s: Station, asset_id: int) -> View:
    return s.assets.get_asset(asset_id)


def update_asset(s: Station, asset_id: int, **changes: Any) -> View:
    return s.assets.update_asset(asset_id, **changes)


# -- templates -----------------------------------------------------------------------------
def list_templates(s: Station) -> list[View]:
    return s.templates.list_templates()


def template_by_id(s: Station, template_id: int) -> View:
    """Templates are named by id in URLs (a name may hold any character)."""
    for view in s.templates.list_templates():
        if view["id"] == template_id:
            return view
    raise NotFoundError("template", template_id)


def add_template(s: Station, name: str, description: str | None) -> View:
    return s.templates.create_template(name, description)


def remove_template(s: Station, name: str) -> None:
    s.templates.remove_template(name)


def add_block(s: Station, template: str, start: int, end: int, rule: object) -> View:
    return s.templates.add_block(template, start, end, rule)


def remove_block(s: Station, template: str, start: int) -> None:
    s.templates.remove_block(template, start)


def replace_block(
    s: Station, template: str, old_start: int, old: View, start: int, end: int, rule: object
) -> View:
    """Change a block (its times or rule): remove it and add the new one; should the new one
    be refused, the old one is put back as it was, and the refusal raised."""
    s.templates.remove_block(template, old_start)
    try:
        return s.templates.add_block(template, start, end, rule)
    except BaseException:
        s.templates.add_block(template, old_start, parse_clock(old["end"], "end"), old["rule"])
        raise


# -- schedule ------------------------------------------------------------------------------
def assign(
    s: Station,
    channel: int,
    template: str,
    first: dt.date,
    last: dt.date,
    weekdays: set[int] | None,
) -> View:
    return s.schedule.assign_template(channel, template, first, last, weekdays)


def assignments(s: Station, channel: int) -> list[View]:
    return s.schedule.list_assignments(channel)


def broadcast_day_of(s: Station, channel: int, at: dt.datetime) -> dt.date:
    return ScheduleService(s.db).broadcast_day_of(channel, at)


def preview_day(s: Station, channel: int, day: dt.date) -> list[ScheduledItem]:
    return ScheduleService(s.db).preview_day(channel, day)


def asrun(s: Station, channel: int, day: dt.date) -> list[AsRunRow]:
    return asrun_day(s.db, channel, day)


# -- library -------------------------------------------------------------------------------
def list_sources(s: Station) -> list[View]:
    return s.library.list_sources()


def source_by_id(s: Station, source_id: int) -> View:
    for view in s.library.list_sources():
        if view["id"] == source_id:
            return view
    raise NotFoundError("source", source_id)


def add_source(s: Station, name: str, type_: str, **fields: Any) -> View:
    return s.library.add_source(name, type_, **fields)


def remove_source(s: Station, name: str) -> None:
    s.library.remove_source(name)


def map_path(s: Station, name: str, from_path: str, to_path: str) -> View:
    return s.library.map_path(name, from_path, to_path)


def sync(s: Station, name: str, progress: Progress | None = None) -> View:
    return s.library.sync(name, progress=progress)


def list_items(
    s: Station, source: str | None = None, status: str | None = None, series: str | None = None
) -> list[View]:
    return s.library.list_items(source, status, series)


def get_item(s: Station, item_id: int) -> View:
    return s.library.get_item(item_id)


def review_item(s: Station, item_id: int, approve: bool, notes: str | None) -> View:
    return s.library.review_item(item_id, approve, notes)


def promote(
    s: Station,
    ids: Sequence[int] = (),
    *,
    source: str | None = None,
    series: str | None = None,
    approved_only: bool = False,
    title: str | None = None,
    tags: Sequence[str] = (),
    kind: str | None = None,
    canonical: bool = True,
) -> list[View]:
    return s.promotion.promote(
        ids,
        source=source,
        series=series,
        approved_only=approved_only,
        title=title,
        tags=tags,
        kind=kind,
        canonical=canonical,
    )
