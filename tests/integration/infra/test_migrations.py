"""Alembic is the only way the schema is made: round trips, no drift, domains kept apart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, bindparam, inspect, select, text

from retrovue.errors import DatabaseError
from retrovue.infra.admin_services import AssetAdminService, ChannelAdminService
from retrovue.infra.db import create_db_engine, downgrade, migrate, open_database
from retrovue.infra.metadata import target_metadata
from retrovue.schedule_manager.models import (
    AsRunEvent,
    Base,
    PlaylogEvent,
    RuleCursor,
    UTCDateTime,
)
from retrovue.schedule_manager.timemath import to_ms

BROADCAST_TABLES = {
    "broadcast_channel",
    "broadcast_template",
    "broadcast_template_block",
    "broadcast_schedule_day",
    "catalog_asset",
    "broadcast_playlog_event",
    "broadcast_asrun_event",
}
SCHEDULING_WORDS = ("channel", "template", "schedule", "playlog", "asrun", "catalog")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        url = request.getfixturevalue("fresh_pg_url")
    engine = create_db_engine(url)
    request.addfinalizer(engine.dispose)
    return engine


def _tables(engine: Engine) -> dict[str | None, set[str]]:
    inspector = inspect(engine)
    if engine.dialect.name == "postgresql":
        return {s: set(inspector.get_table_names(schema=s)) for s in ("broadcast", "library")}
    return {None: set(inspector.get_table_names()) - {"alembic_version"}}


def _metadata_for(engine: Engine) -> list[MetaData]:
    """On SQLite the schemas are translated away, so compare against schema-less copies."""
    if engine.dialect.name == "postgresql":
        return target_metadata()
    copies = []
    for metadata in target_metadata():
        copy = MetaData()
        for table in metadata.tables.values():
            table.to_metadata(copy, schema=None)
        copies.append(copy)
    return copies


def test_upgrade_downgrade_upgrade_round_trips(empty_engine: Engine) -> None:
    migrate(empty_engine)
    first = _tables(empty_engine)
    assert set().union(*first.values()) >= BROADCAST_TABLES
    downgrade(empty_engine)
    assert all(not tables for tables in _tables(empty_engine).values())
    migrate(empty_engine)
    assert _tables(empty_engine) == first


def test_the_migrated_schema_matches_the_orm_metadata(empty_engine: Engine) -> None:
    migrate(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": empty_engine.dialect.name == "postgresql",
                "compare_type": True,
                "target_metadata": _metadata_for(empty_engine),
            },
        )
        diff = compare_metadata(context, _metadata_for(empty_engine))
    assert diff == []


def test_broadcast_tables_live_in_the_broadcast_schema_on_postgresql(
    fresh_pg_url: str,
) -> None:
    engine = create_db_engine(fresh_pg_url)
    try:
        migrate(engine)
        tables = _tables(engine)
        assert tables["broadcast"] >= BROADCAST_TABLES
        assert not BROADCAST_TABLES & tables["library"]
    finally:
        engine.dispose()


def test_the_library_domain_holds_no_scheduling_or_playout_table() -> None:
    broadcast = Base.metadata
    library = [m for m in target_metadata() if m is not broadcast]
    for metadata in library:
        for table in metadata.tables.values():
            assert table.schema == "library", table.fullname
            assert not any(word in table.name for word in SCHEDULING_WORDS), table.fullname
    assert {t.name for t in broadcast.tables.values()} >= BROADCAST_TABLES
    assert {t.schema for t in broadcast.tables.values()} == {"broadcast"}


def test_the_two_tier_migration_converts_playlog_times_and_keeps_asrun_links(
    empty_engine: Engine, tmp_path: Path
) -> None:
    """Rows planned before the playlog kept epoch milliseconds come through the upgrade."""
    migrate(empty_engine, "8b3f5d0c7a12")
    url = empty_engine.url.render_as_string(hide_password=False)
    db = open_database(url, migrate_schema=False)
    media = tmp_path / "pilot.mkv"
    media.write_bytes(b"\0")
    start = dt.datetime(2026, 3, 8, 6, 59, 59, 250_000, tzinfo=dt.UTC)
    try:
        channel = ChannelAdminService(db).create_channel(2, "Two")
        asset = AssetAdminService(db).add_asset("Pilot", 1_000, str(media), canonical=True)
        prefix = "broadcast." if empty_engine.dialect.name == "postgresql" else ""
        with db.transaction() as session:
            session.execute(
                text(
                    f"INSERT INTO {prefix}broadcast_playlog_event (id, channel_id, broadcast_day, "
                    "start_utc, end_utc, kind, asset_id, in_point_ms, program_group) VALUES "
                    "(7, :channel, :day, :start, :end, 'program', :asset, 0, 1)"
                ).bindparams(bindparam("start", type_=UTCDateTime()),
                             bindparam("end", type_=UTCDateTime())),
                {"channel": channel["id"], "day": start.date(), "start": start,
                 "end": start + dt.timedelta(minutes=30), "asset": asset["id"]},
            )  # fmt: skip
            aired = AsRunEvent(channel_id=channel["id"], playlog_event_id=7, asset_id=asset["id"],
                               started_utc=start, status="aired")  # fmt: skip
            session.add(aired)
            session.add(RuleCursor(channel_id=channel["id"], key="plan", state={"days": {}}))
        migrate(empty_engine)
        with db.reading() as session:
            row = session.get_one(PlaylogEvent, 7)
            assert (row.start_ms, row.end_ms) == (to_ms(start), to_ms(start) + 1_800_000)
            assert session.scalars(select(AsRunEvent.playlog_event_id)).all() == [7]
            # The old planner's day marks go: the first pass plans the guide tier afresh.
            assert session.scalars(select(RuleCursor.key)).all() == []
        staged = AssetAdminService(db).add_asset("Staged", 1_000, str(media), canonical=False)
        refused = pytest.raises(DatabaseError, match="not canonical and available")
        with refused, db.transaction() as session:
            session.get_one(PlaylogEvent, 7).asset_id = staged["id"]
    finally:
        db.dispose()
