"""The rendition book on real SQLite and PostgreSQL: what is due, what is kept, what is stale."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from retrovue.errors import DatabaseError
from retrovue.infra.admin_services import AssetAdminService, ChannelAdminService
from retrovue.infra.db import Database
from retrovue.schedule_manager.models import CatalogAsset, Channel, PlaylogEvent
from retrovue.schedule_manager.schedule_service import ScheduleService
from retrovue.schedule_manager.timemath import to_ms

T0 = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def _assets(database: Database, tmp_path: Path, names: list[str]) -> dict[str, int]:
    ChannelAdminService(database).create_channel(1, "One")
    ids = {}
    for name in names:
        media = tmp_path / f"{name}.mkv"
        media.write_bytes(name.encode())
        added = AssetAdminService(database).add_asset(name, 600_000, str(media), canonical=True)
        ids[name] = added["id"]
    return ids


def _air(database: Database, asset_id: int, start: dt.datetime, in_point_ms: int = 0) -> None:
    with database.transaction() as session:
        channel = session.scalars(select(Channel.id).where(Channel.number == 1)).one()
        session.add(PlaylogEvent(
            channel_id=channel, broadcast_day=start.date(), start_ms=to_ms(start),
            end_ms=to_ms(start + 10 * MINUTE), kind="program", asset_id=asset_id,
            in_point_ms=in_point_ms, program_group=int(start.timestamp()),
        ))  # fmt: skip


def test_what_is_due_is_what_may_air_in_the_window_soonest_first_with_its_break_points(
    database: Database, tmp_path: Path
) -> None:
    ids = _assets(database, tmp_path, ["later", "sooner", "withdrawn", "beyond", "over"])
    _air(database, ids["later"], T0 + 30 * MINUTE)
    _air(database, ids["later"], T0 + 50 * MINUTE, in_point_ms=300_000)  # part two
    _air(database, ids["sooner"], T0 + 10 * MINUTE)
    _air(database, ids["withdrawn"], T0 + 20 * MINUTE)
    _air(database, ids["beyond"], T0 + 3 * 60 * MINUTE)
    _air(database, ids["over"], T0 - 20 * MINUTE)  # ended before the window
    with database.transaction() as session:
        withdrawn = session.get(CatalogAsset, ids["withdrawn"])
        later = session.get(CatalogAsset, ids["later"])
        assert withdrawn is not None and later is not None
        withdrawn.canonical = False
        later.markers = [
            {"kind": "chapter", "start_ms": 0},
            {"kind": "chapter", "start_ms": 120_000},
        ]
    due = ScheduleService(database).renditions_due(T0, T0 + 2 * 60 * MINUTE)
    assert [(d.title, d.first_air_utc) for d in due] == [
        ("sooner", T0 + 10 * MINUTE), ("later", T0 + 30 * MINUTE),
    ]  # fmt: skip
    assert due[1].break_points_ms == (120_000, 300_000), "chapters and the playlog's in-points"
    assert due[0].break_points_ms == ()
    first = due[1].item  # the airing whose channel shapes the rendition: the first in the window
    assert first is not None
    assert (first.asset_id, first.start_utc, first.in_point_ms) == (
        ids["later"], T0 + 30 * MINUTE, 0,
    )  # fmt: skip


def test_a_rendition_is_recorded_found_replaced_and_forgotten(
    database: Database, tmp_path: Path
) -> None:
    ids = _assets(database, tmp_path, ["pilot"])
    book = ScheduleService(database)
    assert book.rendition_for(ids["pilot"], "r1-a") is None
    failed = book.record_rendition(ids["pilot"], "r1-a", "f1:x", "", 0, "failed", T0, "bad file")
    made = book.record_rendition(ids["pilot"], "r1-a", "f1:x", "/r/r1-a.ts", 5000, "ready", T0)
    assert made.id == failed.id and (made.state, made.error, made.size_bytes) == (
        "ready",
        None,
        5000,
    )
    book.rendition_aired(made.id, T0 + MINUTE)
    found = book.rendition_for(ids["pilot"], "r1-a")
    assert found is not None and found.last_aired_at == T0 + MINUTE
    assert book.rendition_for(ids["pilot"], "r1-b") is None, "another key finds nothing"
    assert book.forget_renditions([made.id]) == 1
    assert book.all_renditions() == []


def test_the_catalog_sees_a_rendition_made_from_another_file_than_the_approved_one_as_stale(
    database: Database, tmp_path: Path
) -> None:
    ids = _assets(database, tmp_path, ["pilot", "spare", "unknown"])
    book = ScheduleService(database)
    with database.transaction() as session:  # as promotion keeps them
        for name in ("pilot", "spare"):
            asset = session.get(CatalogAsset, ids[name])
            assert asset is not None
            asset.fingerprint = "f1:approved"
        unknown = session.get(CatalogAsset, ids["unknown"])
        assert unknown is not None
        unknown.fingerprint = None  # approved before fingerprints were kept
    fingerprint = "f1:approved"
    book.record_rendition(ids["pilot"], "r1-a", fingerprint, "/r/a.ts", 10, "ready", T0)
    book.record_rendition(ids["spare"], "r1-b", "f1:other", "/r/b.ts", 20, "ready", T0)
    book.record_rendition(ids["unknown"], "r1-c", "f1:any", "/r/c.ts", 30, "ready", T0)
    assert book.rendition_states() == {
        ids["pilot"]: ("ready", 10),
        ids["spare"]: ("stale", 20),
        ids["unknown"]: ("ready", 30),  # approved before fingerprints were kept: no verdict
    }


def test_a_rendition_of_an_asset_that_does_not_exist_is_refused(database: Database) -> None:
    with pytest.raises(DatabaseError):
        ScheduleService(database).record_rendition(999, "r1-a", "f1", "/r/a.ts", 1, "ready", T0)
