"""Jellyfin and Emby sources, and what an incremental sync of a media server keeps.

`library_source.type` admits 'jellyfin' and 'emby'; `library_source.sync_marker` holds the
server's clock at the start of the last completed sync (the next one asks only for what was
saved since); `library_provider_ref.version` holds the server's change token for an item (a
Jellyfin or Emby `Etag`, Plex's `updatedAt`), so an unchanged item is skipped unread.

SQLite cannot alter a CHECK constraint, and rebuilding the table is unsafe here: with foreign
keys on (they are, on every connection RetroVue opens, and a migration runs inside a
transaction where that cannot be switched off) dropping the old table cascades into every
library item, and renaming it re-points the children at the renamed table. Widening the
allowed values changes nothing stored, so this is the case SQLite's own ALTER TABLE guide
handles by rewriting the table's definition in place (`writable_schema`, then a
`schema_version` bump so every connection re-reads it).

Revision ID: 4d7a2c9e1b05
Revises: 3b9d2f61c0a7
Create Date: 2026-12-02 10:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4d7a2c9e1b05"
down_revision: str | None = "3b9d2f61c0a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_TYPES = ("filesystem", "plex")
NEW_TYPES = ("filesystem", "plex", "jellyfin", "emby")


def _check(types: Sequence[str]) -> str:
    return f"type IN ({', '.join(repr(t) for t in types)})"


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.add_column(
        "library_provider_ref", sa.Column("version", sa.String(length=200)), schema=_schema()
    )
    if _postgres():
        op.drop_constraint("ck_library_source_type", "library_source", schema="library")
        op.create_check_constraint(
            "ck_library_source_type", "library_source", _check(NEW_TYPES), schema="library"
        )
        op.add_column("library_source", sa.Column("sync_marker", sa.Text()), schema="library")
        return
    _rewrite_sqlite_check(OLD_TYPES, NEW_TYPES)
    op.add_column("library_source", sa.Column("sync_marker", sa.Text()))


def downgrade() -> None:
    # The old schema has no room for these sources; their items go with them.
    op.execute(
        f"DELETE FROM {_prefix()}library_source WHERE type NOT IN "
        f"({', '.join(repr(t) for t in OLD_TYPES)})"
    )
    if _postgres():
        op.drop_column("library_source", "sync_marker", schema="library")
        op.drop_constraint("ck_library_source_type", "library_source", schema="library")
        op.create_check_constraint(
            "ck_library_source_type", "library_source", _check(OLD_TYPES), schema="library"
        )
    else:
        op.drop_column("library_source", "sync_marker")
        _rewrite_sqlite_check(NEW_TYPES, OLD_TYPES)
    op.drop_column("library_provider_ref", "version", schema=_schema())


def _schema() -> str | None:
    # ALTER TABLE is not schema-translated on SQLite, where the library has no schema.
    return "library" if _postgres() else None


def _prefix() -> str:
    return "library." if _postgres() else ""


def _rewrite_sqlite_check(before: Sequence[str], after: Sequence[str]) -> None:
    bind = op.get_bind()
    sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'library_source'")
    ).scalar_one()
    if _check(before) not in sql:
        raise RuntimeError(f"library_source has an unexpected definition: {sql}")
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'library_source'"
        ),
        {"sql": sql.replace(_check(before), _check(after))},
    )
    bind.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))
