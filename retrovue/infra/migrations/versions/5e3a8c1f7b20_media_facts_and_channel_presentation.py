"""What airing a file right needs, and how each channel presents its items.

`catalog_asset.media` holds the probed facts promotion copies from the library (scan and
field order, SAR/DAR, frame rate and VFR, audio streams with language, layout and loudness,
subtitle streams and sidecars). The channel gains its audio language preference, a second
audio language, a subtitle choice, a station bug (PNG, position, opacity) and the seconds of
the "Next:" caption.

Revision ID: 5e3a8c1f7b20
Revises: 7a3e5c1d9b20
Create Date: 2026-12-02 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e3a8c1f7b20"
down_revision: str | None = "7a3e5c1d9b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL_COLUMNS = (
    "audio_language",
    "second_audio",
    "subtitles",
    "bug_path",
    "bug_position",
    "bug_opacity",
    "next_caption_s",
)


def _schema() -> str | None:
    return "broadcast" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    schema = _schema()
    op.add_column("catalog_asset", sa.Column("media", sa.JSON()), schema=schema)
    for column in (
        sa.Column("audio_language", sa.String(length=100)),
        sa.Column("second_audio", sa.String(length=3)),
        sa.Column("subtitles", sa.String(length=8), nullable=False, server_default="off"),
        sa.Column("bug_path", sa.Text()),
        sa.Column(
            "bug_position", sa.String(length=12), nullable=False, server_default="bottom-right"
        ),
        sa.Column("bug_opacity", sa.Float(), nullable=False, server_default=sa.text("1.0")),
        sa.Column("next_caption_s", sa.Integer()),
    ):
        op.add_column("broadcast_channel", column, schema=schema)


def downgrade() -> None:
    schema = _schema()
    for name in reversed(CHANNEL_COLUMNS):
        op.drop_column("broadcast_channel", name, schema=schema)
    op.drop_column("catalog_asset", "media", schema=schema)
