"""The database itself refuses a playlog row whose asset may not air."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import exc, select

from retrovue.errors import DatabaseError
from retrovue.infra.admin_services import AssetAdminService, ChannelAdminService
from retrovue.infra.db import Database
from retrovue.schedule_manager import epg, playlog
from retrovue.schedule_manager.bulk import prepare, write, write_rows
from retrovue.schedule_manager.models import CatalogAsset, EpgEntry, PlaylogEvent
from retrovue.schedule_manager.timemath import to_ms

START = dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.UTC)


@pytest.fixture
def media(tmp_path: Path) -> str:
    path = tmp_path / "episode.mkv"
    path.write_bytes(b"\0")
    return str(path)


def _event(channel_id: int, asset_id: int, minutes: int = 0) -> PlaylogEvent:
    start = START + dt.timedelta(minutes=minutes)
    return PlaylogEvent(
        channel_id=channel_id,
        broadcast_day=START.date(),
        start_ms=to_ms(start),
        end_ms=to_ms(start + dt.timedelta(minutes=30)),
        kind="program",
        asset_id=asset_id,
        in_point_ms=0,
        program_group=int(start.timestamp()),
    )


@pytest.mark.parametrize(("canonical", "available"), [(False, True), (True, False), (False, False)])
def test_a_playlog_row_for_an_asset_not_cleared_to_air_is_refused(
    database: Database, media: str, canonical: bool, available: bool
) -> None:
    channel = ChannelAdminService(database).create_channel(2, "Two")
    asset = AssetAdminService(database).add_asset("Pilot", 1_000, media, canonical=canonical)
    with database.transaction() as session:
        session.get_one(CatalogAsset, asset["id"]).available = available
    with (
        pytest.raises(exc.DatabaseError, match="not canonical and available"),
        database.engine.begin() as connection,
        database.sessions(bind=connection) as s,
    ):
        s.add(_event(channel["id"], asset["id"]))
        s.flush()


def test_a_playlog_row_for_a_canonical_available_asset_is_accepted(
    database: Database, media: str
) -> None:
    channel = ChannelAdminService(database).create_channel(2, "Two")
    asset = AssetAdminService(database).add_asset("Pilot", 1_000, media, canonical=True)
    with database.transaction() as session:
        session.add(_event(channel["id"], asset["id"]))
    with database.reading() as session:
        assert session.query(PlaylogEvent).count() == 1


def test_repointing_a_playlog_row_at_a_non_canonical_asset_is_refused(
    database: Database, media: str
) -> None:
    channel = ChannelAdminService(database).create_channel(2, "Two")
    assets = AssetAdminService(database)
    good = assets.add_asset("Pilot", 1_000, media, canonical=True)
    staged = assets.add_asset("Staged", 1_000, media, canonical=False)
    with database.transaction() as session:
        session.add(_event(channel["id"], good["id"]))
    with (
        pytest.raises(exc.DatabaseError, match="not canonical and available"),
        database.engine.begin() as connection,
        database.sessions(bind=connection) as s,
    ):
        row = s.query(PlaylogEvent).one()
        row.asset_id = staged["id"]
        s.flush()


def test_the_epg_tier_refuses_an_asset_not_cleared_to_air_like_the_playlog(
    database: Database, media: str
) -> None:
    channel = ChannelAdminService(database).create_channel(2, "Two")
    assets = AssetAdminService(database)
    good = assets.add_asset("Pilot", 1_000, media, canonical=True)
    staged = assets.add_asset("Staged", 1_000, media, canonical=False)

    def entry(asset_id: int) -> EpgEntry:
        return EpgEntry(
            channel_id=channel["id"], broadcast_day=START.date(), start_ms=to_ms(START),
            end_ms=to_ms(START) + 1_800_000, kind="program", asset_id=asset_id,
        )  # fmt: skip

    with (
        pytest.raises(exc.DatabaseError, match="not canonical and available"),
        database.engine.begin() as connection,
        database.sessions(bind=connection) as s,
    ):
        s.add(entry(staged["id"]))
        s.flush()
    with database.transaction() as session:
        session.add(entry(good["id"]))
    with database.reading() as session:
        assert session.query(EpgEntry.asset_id).all() == [(good["id"],)]


@pytest.mark.parametrize("tier", ["playlog", "epg"])
def test_the_planners_bulk_write_is_refused_for_an_asset_not_cleared_to_air(
    database: Database, media: str, tier: str
) -> None:
    """The DB-API path (COPY on PostgreSQL, executemany on SQLite) meets the same gate."""
    channel = ChannelAdminService(database).create_channel(2, "Two")
    staged = AssetAdminService(database).add_asset("Staged", 1_000, media, canonical=False)
    table, columns = (
        (playlog.EVENTS, playlog.COLUMNS) if tier == "playlog" else (epg.ENTRIES, epg.COLUMNS)
    )
    row = dict.fromkeys(columns)
    row |= {
        "channel_id": channel["id"], "broadcast_day": START.date().isoformat(), "kind": "program",
        "start_ms": to_ms(START), "end_ms": to_ms(START) + 60_000, "asset_id": staged["id"],
    }  # fmt: skip
    if tier == "playlog":
        row |= {"in_point_ms": 0, "program_group": 0}
    rows = [tuple(row[c] for c in columns)]
    refused = "not canonical and available"
    with pytest.raises(DatabaseError, match=refused), database.transaction() as session:
        write_rows(session, table, columns, rows)
    # As the planning pass writes: formatted while planning (COPY data on PostgreSQL),
    # written in a transaction of its own.
    with database.reading() as session:
        prepared = prepare(session, table, columns, rows)
    assert isinstance(prepared.data, bytes) == (database.dialect == "postgresql")
    with pytest.raises(DatabaseError, match=refused), database.transaction() as session:
        write(session, prepared)
    with database.reading() as session:
        assert session.execute(select(table.c.id)).all() == []
