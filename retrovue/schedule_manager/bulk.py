"""Rows written straight through the DB-API: `COPY` on PostgreSQL, `executemany` on SQLite.

The planner's hot path: no ORM objects and no per-row SQLAlchemy parameter processing. The
rows go through the session's own connection, so they commit or roll back with its
transaction, and the tables' triggers and constraints check every one of them. Dates go as
ISO text (`day_text`), which both engines take for a date column and SQLite keeps as is (as
SQLAlchemy's Date type writes it there); JSON goes as its text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from psycopg.copy import Copy, FileWriter
from sqlalchemy import Table, exc
from sqlalchemy.orm import Session


class Rows(NamedTuple):
    """Rows ready to be written to `table`: as tuples, or on PostgreSQL as the COPY data
    itself (bytes), so that the thread writing them only sends them."""

    table: Table
    columns: Sequence[str]
    data: Sequence[tuple[Any, ...]] | bytes


def prepare(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> Rows:
    """On PostgreSQL the rows are formatted for COPY here, by psycopg's own formatter (its
    `FileWriter` into memory): the planning pass does this client work while the previous
    channel's rows are checked by the server, and the write then holds the interpreter only
    to send them."""
    connection = session.connection()
    if connection.dialect.name != "postgresql" or not rows:
        return Rows(table, columns, rows)
    raw: Any = connection.connection.driver_connection
    buffer = io.BytesIO()
    with raw.cursor() as cursor, Copy(cursor, writer=FileWriter(buffer)) as copy:
        for row in rows:
            copy.write_row(row)
    return Rows(table, columns, buffer.getvalue())


def write(session: Session, rows: Rows) -> None:
    """Write prepared rows in the session's transaction (its triggers check every row)."""
    table, columns, data = rows
    if not data:
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
                if isinstance(data, bytes):
                    copy.write(data)
                else:
                    for row in data:
                        copy.write_row(row)
        except driver_error as error:  # as SQLAlchemy would raise it, for callers to translate
            raise exc.DBAPIError.instance(statement, None, error, driver_error) from error
        return
    statement = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})"
    try:
        raw.executemany(statement, data)
    except driver_error as error:
        raise exc.DBAPIError.instance(statement, None, error, driver_error) from error


def write_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    write(session, Rows(table, columns, rows))


def day_text() -> Callable[[dt.date], str]:
    """`date.isoformat`, computed once per day for the rows of a batch."""
    known: dict[dt.date, str] = {}

    def text(day: dt.date) -> str:
        found = known.get(day)
        if found is None:
            found = known[day] = day.isoformat()
        return found

    return text
