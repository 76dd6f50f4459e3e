"""Channel kinds: a channel is `linear` (its schedule airs) or `guide` (it shows the TV guide).

Revision ID: 7a3e5c1d9b20
Revises: 4d7a2c9e1b05
Create Date: 2026-12-01 11:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a3e5c1d9b20"
down_revision: str | None = "4d7a2c9e1b05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _schema() -> str | None:
    return "broadcast" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    op.add_column(
        "broadcast_channel",
        sa.Column("kind", sa.String(length=20), nullable=False, server_default="linear"),
        schema=_schema(),
    )


def downgrade() -> None:
    op.drop_column("broadcast_channel", "kind", schema=_schema())
