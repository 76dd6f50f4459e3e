"""The schedule in two tiers, times in epoch milliseconds.

`broadcast_epg_entry` is the EPG tier: a channel's guide entries (each programme's slot with
where it breaks, or slate) planned two weeks ahead. `broadcast_playlog_event` stays the
playlog tier (every event with its spots), now with `start_ms` and `end_ms` as integer epoch
milliseconds in place of timestamps. Both tiers refuse an asset that is not canonical and
available; on PostgreSQL the check runs once per statement over the rows it wrote (a
transition table) instead of once per row, so a bulk COPY of a day pays for one query.
Existing playlog rows are converted in place; the as-run log keeps its links to them.

Revision ID: 9c4e2b7d1a30
Revises: 8b3f5d0c7a12
Create Date: 2026-12-04 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9c4e2b7d1a30"
down_revision: str | None = "8b3f5d0c7a12"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GATE_MESSAGE = "catalog asset is not canonical and available"
KINDS = "kind IN ('program', 'commercial', 'promo', 'bumper', 'station_id', 'slate', 'black')"
PLAYLOG = "broadcast_playlog_event"


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _columns(ms: bool) -> list[sa.Column[object]]:
    kind = sa.BigInteger() if ms else sa.DateTime(timezone=True)
    start, end = ("start_ms", "end_ms") if ms else ("start_utc", "end_utc")
    return [
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("broadcast_day", sa.Date(), nullable=False),
        sa.Column(start, kind, nullable=False),
        sa.Column(end, kind, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
    ]


def _constraints(table: str, start: str, end: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.CheckConstraint(KINDS, name=op.f(f"ck_{table}_kind")),
        sa.CheckConstraint(f"{end} > {start}", name=op.f(f"ck_{table}_span")),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["broadcast.catalog_asset.id"],
            name=op.f(f"fk_{table}_asset_id_catalog_asset"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["broadcast.broadcast_channel.id"],
            name=op.f(f"fk_{table}_channel_id_broadcast_channel"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("channel_id", start, name=op.f(f"uq_{table}_channel_id_{start}")),
    ]  # fmt: skip


def _playlog_table(name: str, ms: bool) -> None:
    start, end = ("start_ms", "end_ms") if ms else ("start_utc", "end_utc")
    op.create_table(
        name,
        *_columns(ms),
        sa.Column("in_point_ms", sa.BigInteger(), nullable=False),
        sa.Column("program_group", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_constraints(PLAYLOG, start, end),
        sa.CheckConstraint("in_point_ms >= 0", name=op.f(f"ck_{PLAYLOG}_in_point")),
        schema="broadcast",
    )


def upgrade() -> None:
    op.create_table(
        "broadcast_epg_entry",
        *_columns(ms=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("layout", sa.Text(), nullable=True),
        *_constraints("broadcast_epg_entry", "start_ms", "end_ms"),
        schema="broadcast",
    )
    op.create_index(
        op.f("ix_broadcast_epg_entry_channel_id_broadcast_day"), "broadcast_epg_entry",
        ["channel_id", "broadcast_day"], unique=False, schema="broadcast",
    )  # fmt: skip
    if _postgres():
        _playlog_to_ms_postgres()
        _statement_gate_function()
        op.execute(f"DROP TRIGGER playlog_canonical_gate ON broadcast.{PLAYLOG}")
        _gate(PLAYLOG)
    else:
        _rebuild_playlog_sqlite(
            ms=True,
            start="CAST(round((julianday(start_utc) - 2440587.5) * 86400000) AS INTEGER)",
            end="CAST(round((julianday(end_utc) - 2440587.5) * 86400000) AS INTEGER)",
        )
    _gate("broadcast_epg_entry")
    # The days the old planner marked planned have no guide entries: forget the marks, so the
    # first planning pass plans the EPG tier from now (what is on air finishes as it was).
    prefix = "broadcast." if _postgres() else ""
    op.execute(f"DELETE FROM {prefix}broadcast_rule_cursor WHERE key = 'plan'")


def downgrade() -> None:
    _drop_gate("broadcast_epg_entry")
    op.drop_table("broadcast_epg_entry", schema="broadcast")
    if _postgres():
        _drop_gate(PLAYLOG)
        op.execute("DROP FUNCTION broadcast.tier_canonical_gate()")
        op.execute(
            "CREATE TRIGGER playlog_canonical_gate BEFORE INSERT OR UPDATE OF asset_id "
            f"ON broadcast.{PLAYLOG} "
            "FOR EACH ROW EXECUTE FUNCTION broadcast.playlog_canonical_gate()"
        )
        op.execute(f"ALTER TABLE broadcast.{PLAYLOG} DROP CONSTRAINT ck_{PLAYLOG}_span")
        for old, new in (("start_ms", "start_utc"), ("end_ms", "end_utc")):
            op.execute(
                f"ALTER TABLE broadcast.{PLAYLOG} ALTER COLUMN {old} TYPE timestamptz "
                f"USING to_timestamp({old} / 1000.0)"
            )
            op.execute(f"ALTER TABLE broadcast.{PLAYLOG} RENAME COLUMN {old} TO {new}")
        _rename_unique("start_ms", "start_utc")
        op.execute(
            f"ALTER TABLE broadcast.{PLAYLOG} ADD CONSTRAINT ck_{PLAYLOG}_span "
            "CHECK (end_utc > start_utc)"
        )
        return
    _rebuild_playlog_sqlite(
        ms=False,
        start="strftime('%Y-%m-%d %H:%M:%f', start_ms / 1000.0, 'unixepoch')",
        end="strftime('%Y-%m-%d %H:%M:%f', end_ms / 1000.0, 'unixepoch')",
    )


def _playlog_to_ms_postgres() -> None:
    op.execute(f"ALTER TABLE broadcast.{PLAYLOG} DROP CONSTRAINT ck_{PLAYLOG}_span")
    for old, new in (("start_utc", "start_ms"), ("end_utc", "end_ms")):
        op.execute(
            f"ALTER TABLE broadcast.{PLAYLOG} ALTER COLUMN {old} TYPE bigint "
            f"USING round(extract(epoch FROM {old}) * 1000)::bigint"
        )
        op.execute(f"ALTER TABLE broadcast.{PLAYLOG} RENAME COLUMN {old} TO {new}")
    _rename_unique("start_utc", "start_ms")
    op.execute(
        f"ALTER TABLE broadcast.{PLAYLOG} ADD CONSTRAINT ck_{PLAYLOG}_span "
        "CHECK (end_ms > start_ms)"
    )


def _rename_unique(old: str, new: str) -> None:
    op.execute(
        f"ALTER TABLE broadcast.{PLAYLOG} RENAME CONSTRAINT "
        f"uq_{PLAYLOG}_channel_id_{old} TO uq_{PLAYLOG}_channel_id_{new}"
    )


def _rebuild_playlog_sqlite(ms: bool, start: str, end: str) -> None:
    """SQLite cannot change a column's type: copy into a new table, converting the times.

    Dropping the old table would clear the as-run log's links to its rows (ON DELETE SET
    NULL), so they are kept aside and put back; the gate triggers go with the old table and
    are made again."""
    op.execute(
        "CREATE TEMP TABLE asrun_links AS SELECT id, playlog_event_id "
        "FROM broadcast_asrun_event WHERE playlog_event_id IS NOT NULL"
    )
    _playlog_table(f"{PLAYLOG}_new", ms)
    new_start, new_end = ("start_ms", "end_ms") if ms else ("start_utc", "end_utc")
    rest = "kind, asset_id, in_point_ms, program_group, note"
    op.execute(
        f"INSERT INTO {PLAYLOG}_new (id, channel_id, broadcast_day, {new_start}, {new_end}, "
        f"{rest}) SELECT id, channel_id, broadcast_day, {start}, {end}, {rest} FROM {PLAYLOG}"
    )
    op.execute(f"DROP TABLE {PLAYLOG}")
    op.execute(f"ALTER TABLE {PLAYLOG}_new RENAME TO {PLAYLOG}")
    op.execute(
        "UPDATE broadcast_asrun_event SET playlog_event_id = (SELECT playlog_event_id "
        "FROM asrun_links WHERE asrun_links.id = broadcast_asrun_event.id) "
        "WHERE id IN (SELECT id FROM asrun_links)"
    )
    op.execute("DROP TABLE asrun_links")
    op.create_index(
        op.f(f"ix_{PLAYLOG}_channel_id_broadcast_day"), PLAYLOG, ["channel_id", "broadcast_day"],
        unique=False, schema="broadcast",
    )  # fmt: skip
    _gate(PLAYLOG)


def _gate(table: str) -> None:
    """The trigger that refuses a row whose asset is not canonical and available."""
    if _postgres():
        for event, tables in (
            ("INSERT", "NEW TABLE AS written"),
            ("UPDATE", "OLD TABLE AS previous NEW TABLE AS written"),
        ):
            op.execute(
                f"CREATE TRIGGER {table}_canonical_gate_{event.lower()} AFTER {event} "
                f"ON broadcast.{table} REFERENCING {tables} "
                "FOR EACH STATEMENT EXECUTE FUNCTION broadcast.tier_canonical_gate()"
            )
        return
    prefix = "playlog" if table == PLAYLOG else table
    for event in ("INSERT", "UPDATE OF asset_id"):
        name = f"{prefix}_canonical_gate_" + event.split()[0].lower()
        op.execute(
            f"""
            CREATE TRIGGER {name} BEFORE {event} ON {table}
            FOR EACH ROW WHEN NEW.asset_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM catalog_asset
                WHERE id = NEW.asset_id AND canonical = 1 AND available = 1
            )
            BEGIN SELECT RAISE(ABORT, '{GATE_MESSAGE}'); END
            """
        )


def _statement_gate_function() -> None:
    op.execute(
        f"""
        CREATE FUNCTION broadcast.tier_canonical_gate() RETURNS trigger AS $$
        DECLARE refused integer;
        BEGIN
            IF TG_OP = 'UPDATE' THEN  -- only rows whose asset changed, as before
                SELECT w.asset_id INTO refused FROM written w JOIN previous p ON p.id = w.id
                WHERE w.asset_id IS NOT NULL AND w.asset_id IS DISTINCT FROM p.asset_id
                AND NOT EXISTS (
                    SELECT 1 FROM broadcast.catalog_asset a
                    WHERE a.id = w.asset_id AND a.canonical AND a.available
                )
                LIMIT 1;
            ELSE
                SELECT w.asset_id INTO refused FROM written w
                WHERE w.asset_id IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM broadcast.catalog_asset a
                    WHERE a.id = w.asset_id AND a.canonical AND a.available
                )
                LIMIT 1;
            END IF;
            IF refused IS NOT NULL THEN
                RAISE EXCEPTION '{GATE_MESSAGE} (asset %)', refused
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NULL;
        END
        $$ LANGUAGE plpgsql
        """
    )


def _drop_gate(table: str) -> None:
    if _postgres():
        for event in ("insert", "update"):
            op.execute(
                f"DROP TRIGGER IF EXISTS {table}_canonical_gate_{event} ON broadcast.{table}"
            )
        return
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_canonical_gate_{event}")
