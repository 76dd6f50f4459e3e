"""Gating that cannot go stale: the approved file's fingerprint, a catalog gating revision,
and the station node on as-run rows.

`catalog_asset.fingerprint` is the fingerprint (size, mtime, head and tail hash) of the file
the operator approved; runtime airs slate for a file that no longer matches it. A trigger bumps
the station setting `catalog_revision` whenever a row's gating changes (canonical, available,
file or fingerprint, or a row removed), so a station that loses the database can tell that a
cached verdict is older than a withdrawal it knew of. `broadcast_asrun_event.node` names the
station that wrote the row.

Revision ID: 3b9d2f61c0a7
Revises: 7c1e0b9a4d21
Create Date: 2026-12-01 09:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b9d2f61c0a7"
down_revision: str | None = "7c1e0b9a4d21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVISION_KEY = "catalog_revision"
GATING_COLUMNS = ("canonical", "available", "file_path", "fingerprint")


def upgrade() -> None:
    op.add_column(
        "catalog_asset", sa.Column("fingerprint", sa.String(length=100)), schema=_schema()
    )
    op.add_column(
        "broadcast_asrun_event", sa.Column("node", sa.String(length=200)), schema=_schema()
    )
    settings = sa.table(
        "broadcast_station_setting", sa.column("key"), sa.column("value"), schema=_schema()
    )
    op.bulk_insert(settings, [{"key": REVISION_KEY, "value": "0"}])
    _create_revision_triggers()


def downgrade() -> None:
    _drop_revision_triggers()
    op.execute(f"DELETE FROM {_prefix()}broadcast_station_setting WHERE key = '{REVISION_KEY}'")
    op.drop_column("broadcast_asrun_event", "node", schema=_schema())
    op.drop_column("catalog_asset", "fingerprint", schema=_schema())


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _schema() -> str | None:
    return "broadcast" if _postgres() else None


def _prefix() -> str:
    return "broadcast." if _postgres() else ""


def _changed() -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in GATING_COLUMNS)


def _create_revision_triggers() -> None:
    if _postgres():
        op.execute(
            f"""
            CREATE FUNCTION broadcast.catalog_gating_revision() RETURNS trigger AS $$
            BEGIN
                INSERT INTO broadcast.broadcast_station_setting (key, value)
                VALUES ('{REVISION_KEY}', '1') ON CONFLICT (key) DO UPDATE
                SET value = (broadcast_station_setting.value::bigint + 1)::text;
                RETURN NULL;
            END
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER catalog_gating_revision_update AFTER UPDATE "
            f"ON broadcast.catalog_asset FOR EACH ROW WHEN ({_changed()}) "
            "EXECUTE FUNCTION broadcast.catalog_gating_revision()"
        )
        op.execute(
            "CREATE TRIGGER catalog_gating_revision_delete AFTER DELETE "
            "ON broadcast.catalog_asset FOR EACH ROW "
            "EXECUTE FUNCTION broadcast.catalog_gating_revision()"
        )
        return
    bump = (
        f"INSERT INTO broadcast_station_setting (key, value) VALUES ('{REVISION_KEY}', '1') "
        "ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);"
    )
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in GATING_COLUMNS)
    op.execute(
        "CREATE TRIGGER catalog_gating_revision_update AFTER UPDATE ON catalog_asset "
        f"FOR EACH ROW WHEN {changed} BEGIN {bump} END"
    )
    op.execute(
        "CREATE TRIGGER catalog_gating_revision_delete AFTER DELETE ON catalog_asset "
        f"FOR EACH ROW BEGIN {bump} END"
    )


def _drop_revision_triggers() -> None:
    if _postgres():
        for name in ("update", "delete"):
            op.execute(
                f"DROP TRIGGER IF EXISTS catalog_gating_revision_{name} ON broadcast.catalog_asset"
            )
        op.execute("DROP FUNCTION IF EXISTS broadcast.catalog_gating_revision()")
        return
    for name in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS catalog_gating_revision_{name}")
