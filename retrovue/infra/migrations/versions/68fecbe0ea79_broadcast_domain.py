"""Broadcast domain: channels, templates, schedule days, catalog, playlog, as-run.

Scheduling and playout tables live here, in schema `broadcast`, and nowhere in the library
domain. A trigger refuses a playlog row whose asset is not canonical and available.

Revision ID: 68fecbe0ea79
Revises:
Create Date: 2026-11-26 15:56:07.967360
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "68fecbe0ea79"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SCHEMA IF NOT EXISTS broadcast")
    op.create_table(
        "broadcast_station_setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_broadcast_station_setting")),
        schema="broadcast",
    )
    op.create_table(
        "broadcast_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_template")),
        sa.UniqueConstraint("name", name=op.f("uq_broadcast_template_name")),
        schema="broadcast",
    )
    op.create_table(
        "catalog_asset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        sa.Column("file_path", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("canonical", sa.Boolean(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("series", sa.String(length=500), nullable=True),
        sa.Column("season", sa.Integer(), nullable=True),
        sa.Column("episode", sa.Integer(), nullable=True),
        sa.Column("episode_title", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("rating", sa.String(length=20), nullable=True),
        sa.Column("air_date", sa.Date(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("markers", sa.JSON(), nullable=False),
        sa.Column("source_ingest_asset_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('program', 'commercial', 'promo', 'bumper', 'station_id')",
            name=op.f("ck_catalog_asset_kind"),
        ),
        sa.CheckConstraint("duration_ms > 0", name=op.f("ck_catalog_asset_duration")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_asset")),
        sa.UniqueConstraint(
            "source_ingest_asset_id", name=op.f("uq_catalog_asset_source_ingest_asset_id")
        ),
        schema="broadcast",
    )
    op.create_index(
        op.f("ix_catalog_asset_series"),
        "catalog_asset",
        ["series"],
        unique=False,
        schema="broadcast",
    )
    op.create_table(
        "broadcast_channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("grid_size_minutes", sa.Integer(), nullable=False),
        sa.Column("grid_offset_minutes", sa.Integer(), nullable=False),
        sa.Column("rollover_minutes", sa.Integer(), nullable=False),
        sa.Column("group_title", sa.String(length=200), nullable=True),
        sa.Column("logo", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("default_template_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "grid_offset_minutes >= 0 AND grid_offset_minutes < grid_size_minutes",
            name=op.f("ck_broadcast_channel_grid_offset"),
        ),
        sa.CheckConstraint(
            "grid_size_minutes IN (15, 30, 60)", name=op.f("ck_broadcast_channel_grid_size")
        ),
        sa.CheckConstraint(
            "rollover_minutes >= 0 AND rollover_minutes < 1440",
            name=op.f("ck_broadcast_channel_rollover"),
        ),
        sa.ForeignKeyConstraint(
            ["default_template_id"],
            ["broadcast.broadcast_template.id"],
            name=op.f("fk_broadcast_channel_default_template_id_broadcast_template"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_channel")),
        sa.UniqueConstraint("number", name=op.f("uq_broadcast_channel_number")),
        schema="broadcast",
    )
    op.create_table(
        "broadcast_template_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("start_minutes", sa.Integer(), nullable=False),
        sa.Column("end_minutes", sa.Integer(), nullable=False),
        sa.Column("rule_json", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "end_minutes >= 0 AND end_minutes < 1440", name=op.f("ck_broadcast_template_block_end")
        ),
        sa.CheckConstraint(
            "start_minutes >= 0 AND start_minutes < 1440",
            name=op.f("ck_broadcast_template_block_start"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["broadcast.broadcast_template.id"],
            name=op.f("fk_broadcast_template_block_template_id_broadcast_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_template_block")),
        sa.UniqueConstraint(
            "template_id",
            "start_minutes",
            name=op.f("uq_broadcast_template_block_template_id_start_minutes"),
        ),
        schema="broadcast",
    )
    op.create_table(
        "broadcast_playlog_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("broadcast_day", sa.Date(), nullable=False),
        sa.Column("start_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("in_point_ms", sa.BigInteger(), nullable=False),
        sa.Column("program_group", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('program', 'commercial', 'promo', 'bumper', 'station_id', 'slate', 'black')",
            name=op.f("ck_broadcast_playlog_event_kind"),
        ),
        sa.CheckConstraint("end_utc > start_utc", name=op.f("ck_broadcast_playlog_event_span")),
        sa.CheckConstraint("in_point_ms >= 0", name=op.f("ck_broadcast_playlog_event_in_point")),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["broadcast.catalog_asset.id"],
            name=op.f("fk_broadcast_playlog_event_asset_id_catalog_asset"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["broadcast.broadcast_channel.id"],
            name=op.f("fk_broadcast_playlog_event_channel_id_broadcast_channel"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_playlog_event")),
        sa.UniqueConstraint(
            "channel_id", "start_utc", name=op.f("uq_broadcast_playlog_event_channel_id_start_utc")
        ),
        schema="broadcast",
    )
    op.create_index(
        op.f("ix_broadcast_playlog_event_channel_id_broadcast_day"),
        "broadcast_playlog_event",
        ["channel_id", "broadcast_day"],
        unique=False,
        schema="broadcast",
    )
    op.create_table(
        "broadcast_rule_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["broadcast.broadcast_channel.id"],
            name=op.f("fk_broadcast_rule_cursor_channel_id_broadcast_channel"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_rule_cursor")),
        sa.UniqueConstraint(
            "channel_id", "key", name=op.f("uq_broadcast_rule_cursor_channel_id_key")
        ),
        schema="broadcast",
    )
    op.create_table(
        "broadcast_schedule_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["broadcast.broadcast_channel.id"],
            name=op.f("fk_broadcast_schedule_day_channel_id_broadcast_channel"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["broadcast.broadcast_template.id"],
            name=op.f("fk_broadcast_schedule_day_template_id_broadcast_template"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_schedule_day")),
        sa.UniqueConstraint(
            "channel_id", "day", name=op.f("uq_broadcast_schedule_day_channel_id_day")
        ),
        schema="broadcast",
    )
    op.create_table(
        "broadcast_asrun_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column(
            "playlog_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("started_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('aired', 'substituted', 'interrupted', 'emergency')",
            name=op.f("ck_broadcast_asrun_event_status"),
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["broadcast.catalog_asset.id"],
            name=op.f("fk_broadcast_asrun_event_asset_id_catalog_asset"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["broadcast.broadcast_channel.id"],
            name=op.f("fk_broadcast_asrun_event_channel_id_broadcast_channel"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["playlog_event_id"],
            ["broadcast.broadcast_playlog_event.id"],
            name=op.f("fk_broadcast_asrun_event_playlog_event_id_broadcast_playlog_event"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_asrun_event")),
        schema="broadcast",
    )
    op.create_index(
        op.f("ix_broadcast_asrun_event_channel_id_started_utc"),
        "broadcast_asrun_event",
        ["channel_id", "started_utc"],
        unique=False,
        schema="broadcast",
    )
    _create_gating_trigger()
    _seed_device_id()


def downgrade() -> None:
    _drop_gating_trigger()
    op.drop_index(
        op.f("ix_broadcast_asrun_event_channel_id_started_utc"),
        table_name="broadcast_asrun_event",
        schema="broadcast",
    )
    op.drop_table("broadcast_asrun_event", schema="broadcast")
    op.drop_table("broadcast_schedule_day", schema="broadcast")
    op.drop_table("broadcast_rule_cursor", schema="broadcast")
    op.drop_index(
        op.f("ix_broadcast_playlog_event_channel_id_broadcast_day"),
        table_name="broadcast_playlog_event",
        schema="broadcast",
    )
    op.drop_table("broadcast_playlog_event", schema="broadcast")
    op.drop_table("broadcast_template_block", schema="broadcast")
    op.drop_table("broadcast_channel", schema="broadcast")
    op.drop_index(op.f("ix_catalog_asset_series"), table_name="catalog_asset", schema="broadcast")
    op.drop_table("catalog_asset", schema="broadcast")
    op.drop_table("broadcast_template", schema="broadcast")
    op.drop_table("broadcast_station_setting", schema="broadcast")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SCHEMA IF EXISTS broadcast")


GATE_MESSAGE = "catalog asset is not canonical and available"


def _create_gating_trigger() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION broadcast.playlog_canonical_gate() RETURNS trigger AS $$
            BEGIN
                IF NEW.asset_id IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM broadcast.catalog_asset
                    WHERE id = NEW.asset_id AND canonical AND available
                ) THEN
                    RAISE EXCEPTION '{GATE_MESSAGE} (asset %)', NEW.asset_id
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
            END
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER playlog_canonical_gate BEFORE INSERT OR UPDATE OF asset_id "
            "ON broadcast.broadcast_playlog_event "
            "FOR EACH ROW EXECUTE FUNCTION broadcast.playlog_canonical_gate()"
        )
        return
    for event in ("INSERT", "UPDATE OF asset_id"):
        name = "playlog_canonical_gate_" + event.split()[0].lower()
        op.execute(
            f"""
            CREATE TRIGGER {name} BEFORE {event} ON broadcast_playlog_event
            FOR EACH ROW WHEN NEW.asset_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM catalog_asset
                WHERE id = NEW.asset_id AND canonical = 1 AND available = 1
            )
            BEGIN SELECT RAISE(ABORT, '{GATE_MESSAGE}'); END
            """
        )


def _drop_gating_trigger() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP TRIGGER IF EXISTS playlog_canonical_gate ON broadcast.broadcast_playlog_event"
        )
        op.execute("DROP FUNCTION IF EXISTS broadcast.playlog_canonical_gate()")
        return
    op.execute("DROP TRIGGER IF EXISTS playlog_canonical_gate_insert")
    op.execute("DROP TRIGGER IF EXISTS playlog_canonical_gate_update")


# The HDHomeRun device id clients see; made once, when the station's database is made.
# Its last hex digit is the check digit libhdhomerun validates: nibbles 7, 5, 3 and 1 (from
# the top) pass through this permutation, the others are taken as they are, and all eight
# must XOR to zero.
_DEVICE_ID_PERMUTATION = (
    0xA,
    0x5,
    0xF,
    0x6,
    0x7,
    0xC,
    0x1,
    0xB,
    0x9,
    0x2,
    0x8,
    0xD,
    0x4,
    0x3,
    0xE,
    0x0,
)


def _new_device_id() -> str:
    # 0x1xxxxxxx: the range real single-tuner-family devices use, never 0 or 0xFFFFFFFF.
    high = 0x1000000 | secrets.randbits(24)
    check = 0
    for index in range(7):
        nibble = (high >> (4 * (6 - index))) & 0xF
        check ^= _DEVICE_ID_PERMUTATION[nibble] if index % 2 == 0 else nibble
    return f"{(high << 4) | check:08X}"


def _seed_device_id() -> None:
    # A lightweight table is not schema-translated, so name the schema only where it exists.
    schema = "broadcast" if op.get_bind().dialect.name == "postgresql" else None
    settings = sa.table(
        "broadcast_station_setting", sa.column("key"), sa.column("value"), schema=schema
    )
    op.bulk_insert(settings, [{"key": "hdhomerun_device_id", "value": _new_device_id()}])
