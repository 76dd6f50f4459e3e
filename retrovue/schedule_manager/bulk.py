"""Rows written straight through the DB-API: `COPY` on PostgreSQL, `executemany` on SQLite.

The planner's hot path: no ORM objects and no per-row SQLAlchemy parameter processing. The
rows go through the session's own connection, so they commit or roll back with its
transaction, and the tables' triggers and constraints check every one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, exc
from sqlalchemy.orm import Session


def write_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    connection = session.connection()
    raw: Any = connection.connection.driver_connection
    names = ", ".join(columns)
    driver_error = connection.dialect.loaded_dbapi.Error
    if connection.dialect.name == "postgresql":
        target = f"{table.schema}.{table.name}" if table.schema else table.name
        statement = f"COPY {target} ({names}) FROM STDIN"
        try:
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except driver_error as error:  # as SQLAlchemy would raise it, for callers to translate
            raise exc.DBAPIError.instance(statement, None, error, driver_error) from error
        return
    statement = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})"
    days = [i for i, name in enumerate(columns) if name == "broadcast_day"]
    if days:  # SQLite keeps dates as ISO text, as SQLAlchemy's Date type writes them
        iso: dict[Any, str] = {}
        rows = [_iso(row, days, iso) for row in rows]
    try:
        raw.executemany(statement, rows)
    except driver_error as error:
        raise exc.DBAPIError.instance(statement, None, error, driver_error) from error


def _iso(row: tuple[Any, ...], at: list[int], known: dict[Any, str]) -> tuple[Any, ...]:
    values = list(row)
    for i in at:
        day = values[i]
        values[i] = known.get(day) or known.setdefault(day, day.isoformat())
    return tuple(values)
