"""Migration 5e3a8c1f7b20 (media facts, channel presentation) up from the state before it."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from retrovue.infra.db import MIGRATIONS_DIR, create_db_engine, downgrade, migrate

REVISION = "5e3a8c1f7b20"
CHANNEL_DEFAULTS = {
    "audio_language": None,
    "second_audio": None,
    "subtitles": "off",
    "bug_path": None,
    "bug_position": "bottom-right",
    "bug_opacity": 1.0,
    "next_caption_s": None,
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.db'}"
    return str(request.getfixturevalue("fresh_pg_url"))


def test_existing_channels_and_assets_gain_the_defaults_and_keep_them_on_the_way_back(
    empty_url: str,
) -> None:
    before = ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(REVISION).down_revision
    assert isinstance(before, str)
    engine = create_db_engine(empty_url)
    prefix = "broadcast." if engine.dialect.name == "postgresql" else ""
    try:
        migrate(engine, before)
        with engine.begin() as connection:
            connection.execute(
                text(f"INSERT INTO {prefix}broadcast_channel (number, name, timezone, "
                     "grid_size_minutes, grid_offset_minutes, rollover_minutes, active, "
                     "created_at) VALUES (7, 'Seven', 'UTC', 30, 0, 360, true, "
                     "CURRENT_TIMESTAMP)")
            )  # fmt: skip
        migrate(engine, REVISION)
        with engine.connect() as connection:
            row = connection.execute(
                text(f"SELECT {', '.join(CHANNEL_DEFAULTS)} FROM {prefix}broadcast_channel")
            ).one()
        assert dict(row._mapping) == CHANNEL_DEFAULTS
        schema = "broadcast" if prefix else None
        assert "media" in {c["name"] for c in inspect(engine).get_columns("catalog_asset", schema)}
        downgrade(engine, before)
        columns = {c["name"] for c in inspect(engine).get_columns("broadcast_channel", schema)}
        assert not set(CHANNEL_DEFAULTS) & columns
        with engine.connect() as connection:
            assert connection.execute(
                text(f"SELECT name FROM {prefix}broadcast_channel")
            ).scalars().all() == ["Seven"]
    finally:
        engine.dispose()
