"""Migration 4d7a2c9e1b05 (Jellyfin and Emby sources, sync markers) from the state before it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, exc, text

from retrovue.infra.db import create_db_engine, current_revision, downgrade, migrate

BEFORE = "3b9d2f61c0a7"
AFTER = "4d7a2c9e1b05"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'm.db'}"
    else:
        url = str(request.getfixturevalue("fresh_pg_url"))
    made = create_db_engine(url)
    request.addfinalizer(made.dispose)
    return made


def _prefix(engine: Engine) -> str:
    return "library." if engine.dialect.name == "postgresql" else ""


def _seed(engine: Engine) -> None:
    """A Plex source with one item, its metadata and provider ref, as the old schema holds."""
    p = _prefix(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                f"INSERT INTO {p}library_source (id, name, type, default_kind, tags, url, token, "
                "libraries) VALUES (1, 'Plex', 'plex', 'program', '[]', 'http://plex:32400', "
                "'t', '[\"TV\"]')"
            )
        )
        connection.execute(
            text(
                f"INSERT INTO {p}library_media_item (id, source_id, path, size, mtime_ns, kind, "
                "qc_flags, state, soft_deleted) VALUES (7, 1, '/tv/a.mkv', 10, 0, 'program', "
                "'[]', 'promoted', false)"
            )
        )
        connection.execute(
            text(
                f"INSERT INTO {p}library_provider_ref (id, item_id, provider, key, updated_at) "
                "VALUES (1, 7, 'plex', '102', 1700000100)"
            )
        )


def test_upgrading_keeps_every_source_and_item_and_admits_jellyfin_and_emby(
    engine: Engine,
) -> None:
    migrate(engine, BEFORE)
    _seed(engine)
    migrate(engine, AFTER)
    p = _prefix(engine)
    with engine.begin() as connection:
        assert connection.execute(text(f"SELECT id, path FROM {p}library_media_item")).all() == [
            (7, "/tv/a.mkv")
        ]
        assert connection.execute(
            text(f"SELECT name, type, url, sync_marker FROM {p}library_source")
        ).all() == [("Plex", "plex", "http://plex:32400", None)]
        assert connection.execute(
            text(f"SELECT key, updated_at, version FROM {p}library_provider_ref")
        ).all() == [("102", 1700000100, None)]
        for n, kind in enumerate(("jellyfin", "emby"), 2):
            connection.execute(
                text(
                    f"INSERT INTO {p}library_source (id, name, type, default_kind, tags, "
                    f"libraries) VALUES ({n}, '{kind}', '{kind}', 'program', '[]', '[]')"
                )
            )
    # The item still cascades from its source: the rebuilt table kept its children's keys.
    with engine.begin() as connection:
        connection.execute(text(f"DELETE FROM {p}library_source WHERE id = 1"))
        assert connection.execute(text(f"SELECT count(*) FROM {p}library_media_item")).scalar() == 0


def test_the_upgraded_check_still_refuses_an_unknown_source_type(engine: Engine) -> None:
    migrate(engine, AFTER)
    with pytest.raises(exc.IntegrityError), engine.begin() as connection:
        connection.execute(
            text(
                f"INSERT INTO {_prefix(engine)}library_source (name, type, default_kind, tags, "
                "libraries) VALUES ('x', 'kodi', 'program', '[]', '[]')"
            )
        )


def test_downgrading_drops_only_the_sources_the_old_schema_cannot_hold(engine: Engine) -> None:
    migrate(engine, BEFORE)
    _seed(engine)
    migrate(engine, AFTER)
    p = _prefix(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                f"INSERT INTO {p}library_source (id, name, type, default_kind, tags, libraries) "
                "VALUES (2, 'J', 'jellyfin', 'program', '[]', '[]')"
            )
        )
    downgrade(engine, BEFORE)
    assert current_revision(engine) == BEFORE
    with engine.begin() as connection:
        assert connection.execute(text(f"SELECT name FROM {p}library_source")).all() == [("Plex",)]
        assert connection.execute(text(f"SELECT id FROM {p}library_media_item")).all() == [(7,)]
    migrate(engine, AFTER)
    assert current_revision(engine) == AFTER
