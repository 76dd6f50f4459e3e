"""Library domain: sources, paths, mappings, media items, metadata, markers, reviews.

Ingest tables live in schema `library`, apart from broadcast; nothing here schedules or
plays, and no foreign key crosses between the two schemas.

Revision ID: 7c1e0b9a4d21
Revises: 68fecbe0ea79
Create Date: 2026-11-26 16:01:13.691042
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e0b9a4d21"
down_revision: str | None = "68fecbe0ea79"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SCHEMA IF NOT EXISTS library")
    op.create_table(
        "library_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("default_kind", sa.String(length=20), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("token", sa.Text(), nullable=True),
        sa.Column("libraries", sa.JSON(), nullable=False),
        sa.CheckConstraint("type IN ('filesystem', 'plex')", name=op.f("ck_library_source_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_source")),
        sa.UniqueConstraint("name", name=op.f("uq_library_source_name")),
        schema="library",
    )
    op.create_table(
        "library_media_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("probe", sa.JSON(), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("qc_flags", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("soft_deleted", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('program', 'commercial', 'promo', 'bumper', 'station_id')",
            name=op.f("ck_library_media_item_kind"),
        ),
        sa.CheckConstraint(
            "state IN ('discovered', 'needs_review', 'approved', 'rejected', 'promoted')",
            name=op.f("ck_library_media_item_state"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["library.library_source.id"],
            name=op.f("fk_library_media_item_source_id_library_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_media_item")),
        sa.UniqueConstraint("source_id", "path", name=op.f("uq_library_media_item_source_id_path")),
        schema="library",
    )
    op.create_index(
        op.f("ix_library_media_item_state"),
        "library_media_item",
        ["state"],
        unique=False,
        schema="library",
    )
    op.create_table(
        "library_path_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("from_path", sa.Text(), nullable=False),
        sa.Column("to_path", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["library.library_source.id"],
            name=op.f("fk_library_path_mapping_source_id_library_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_path_mapping")),
        sa.UniqueConstraint(
            "source_id", "from_path", name=op.f("uq_library_path_mapping_source_id_from_path")
        ),
        schema="library",
    )
    op.create_table(
        "library_source_path",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["library.library_source.id"],
            name=op.f("fk_library_source_path_source_id_library_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_source_path")),
        sa.UniqueConstraint(
            "source_id", "path", name=op.f("uq_library_source_path_source_id_path")
        ),
        schema="library",
    )
    op.create_table(
        "library_marker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("start_ms", sa.BigInteger(), nullable=False),
        sa.Column("end_ms", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "kind IN ('chapter', 'intro', 'credits', 'break')", name=op.f("ck_library_marker_kind")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["library.library_media_item.id"],
            name=op.f("fk_library_marker_item_id_library_media_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_marker")),
        schema="library",
    )
    op.create_index(
        op.f("ix_library_marker_item_id"),
        "library_marker",
        ["item_id"],
        unique=False,
        schema="library",
    )
    op.create_table(
        "library_metadata",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("series", sa.String(length=500), nullable=True),
        sa.Column("season", sa.Integer(), nullable=True),
        sa.Column("episode", sa.Integer(), nullable=True),
        sa.Column("plot", sa.Text(), nullable=True),
        sa.Column("genres", sa.JSON(), nullable=False),
        sa.Column("content_rating", sa.String(length=20), nullable=True),
        sa.Column("air_date", sa.Date(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["library.library_media_item.id"],
            name=op.f("fk_library_metadata_item_id_library_media_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_library_metadata")),
        schema="library",
    )
    op.create_index(
        op.f("ix_library_metadata_series"),
        "library_metadata",
        ["series"],
        unique=False,
        schema="library",
    )
    op.create_table(
        "library_provider_ref",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["library.library_media_item.id"],
            name=op.f("fk_library_provider_ref_item_id_library_media_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_provider_ref")),
        sa.UniqueConstraint(
            "item_id", "provider", name=op.f("uq_library_provider_ref_item_id_provider")
        ),
        schema="library",
    )
    op.create_table(
        "library_review_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'resolved')", name=op.f("ck_library_review_item_status")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["library.library_media_item.id"],
            name=op.f("fk_library_review_item_item_id_library_media_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_review_item")),
        schema="library",
    )
    op.create_index(
        op.f("ix_library_review_item_item_id"),
        "library_review_item",
        ["item_id"],
        unique=False,
        schema="library",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_library_review_item_item_id"), table_name="library_review_item", schema="library"
    )
    op.drop_table("library_review_item", schema="library")
    op.drop_table("library_provider_ref", schema="library")
    op.drop_index(
        op.f("ix_library_metadata_series"), table_name="library_metadata", schema="library"
    )
    op.drop_table("library_metadata", schema="library")
    op.drop_index(op.f("ix_library_marker_item_id"), table_name="library_marker", schema="library")
    op.drop_table("library_marker", schema="library")
    op.drop_table("library_source_path", schema="library")
    op.drop_table("library_path_mapping", schema="library")
    op.drop_index(
        op.f("ix_library_media_item_state"), table_name="library_media_item", schema="library"
    )
    op.drop_table("library_media_item", schema="library")
    op.drop_table("library_source", schema="library")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SCHEMA IF EXISTS library")
