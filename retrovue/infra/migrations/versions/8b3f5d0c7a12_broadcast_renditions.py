"""Prepared renditions: catalog assets already in the channel output profile.

`broadcast_rendition` tracks each one made: the asset, the key naming the source file's
fingerprint and every setting that shapes the output, the file and its size, its state
(ready, or failed with the error), when it was made and when it last aired. Runtime's
preparer writes it through the schedule manager; the library domain never sees it.

Revision ID: 8b3f5d0c7a12
Revises: 5e3a8c1f7b20
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8b3f5d0c7a12"
down_revision: str | None = "5e3a8c1f7b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "broadcast_rendition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("source_fingerprint", sa.String(length=100), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_aired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('ready', 'failed')", name=op.f("ck_broadcast_rendition_state")
        ),
        sa.CheckConstraint("size_bytes >= 0", name=op.f("ck_broadcast_rendition_size")),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["broadcast.catalog_asset.id"],
            name=op.f("fk_broadcast_rendition_asset_id_catalog_asset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_rendition")),
        sa.UniqueConstraint("asset_id", "key", name=op.f("uq_broadcast_rendition_asset_id_key")),
        schema="broadcast",
    )


def downgrade() -> None:
    op.drop_table("broadcast_rendition", schema="broadcast")
