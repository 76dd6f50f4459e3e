"""Alembic environment: runs our migrations on the engine `infra.db` hands it.

Run by hand (`alembic upgrade head` from the repository root) it opens the database named by
RETROVUE_DATABASE_URL, or the default SQLite file.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from retrovue.infra.db import create_db_engine
from retrovue.infra.metadata import target_metadata
from retrovue.places import default_database_url

config = context.config
engine: Engine = config.attributes.get("engine") or create_db_engine(
    config.get_main_option("sqlalchemy.url") or default_database_url()
)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),
        include_schemas=connection.dialect.name == "postgresql",
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
