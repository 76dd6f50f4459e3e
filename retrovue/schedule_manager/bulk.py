"""Rows written straight through the DB-API: `COPY` on PostgreSQL, `executemany` on SQLite.

The planner's hot path: no ORM objects and no per-row SQLAlchemy parameter processing. The
rows go through the session's own connection, so they commit or roll back with its
transaction, and the tables' triggers and constraints check every one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session


def write_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    connection = session.connection()
    raw: Any = connection.connection.driver_connection
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        target = f"{table.schema}.{table.name}" if table.schema else table.name
        with raw.cursor() as cursor, cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    days = [i for i, name in enumerate(columns) if name == "broadcast_day"]
    if days:  # SQLite keeps dates as ISO text, as SQLAlchemy's Date type writes them
        iso: dict[Any, str] = {}
        rows = [_iso(row, days, iso) for row in rows]
    raw.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)


def _iso(row: tuple[Any, ...], at: list[int], known: dict[Any, str]) -> tuple[Any, ...]:
    values = list(row)
    for i in at:
        day = values[i]
        values[i] = known.get(day) or known.setdefault(day, day.isoformat())
    return tuple(values)
