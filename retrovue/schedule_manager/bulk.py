"""Rows written straight through the DB-API: `COPY` on PostgreSQL, and on SQLite one
`INSERT ... SELECT FROM json_each` of the rows (`executemany` before SQLite 3.38).

The planner's hot path: no ORM objects and no per-row SQLAlchemy parameter processing
(on SQLite, no per-row work in Python at all: see `prepare`). The rows go through the
session's own connection, so they commit or roll back with its transaction, and the tables'
triggers and constraints check every one of them. Dates may go as ISO text (`day_text`),
which both engines take for a date column; JSON goes as its text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, NamedTuple

import orjson
from psycopg.copy import Copy, FileWriter
from sqlalchemy import Table, exc
from sqlalchemy.orm import Session

# SQLite from 3.38 always has its JSON functions; older builds write row by row.
SQLITE_JSON: Final = (3, 38)
# What a driver raises, before any statement runs, for a value it cannot send (text with a
# lone surrogate, an int wider than 64 bits): raised as a refused value, like the database's.
UNSENDABLE: Final = (UnicodeEncodeError, OverflowError)


class Rows(NamedTuple):
    """Rows ready to be written to `table`: as tuples, or already in the form the write sends
    (PostgreSQL: COPY data, bytes; SQLite: one JSON array of the rows, text), so that the
    thread writing them only sends them."""

    table: Table
    columns: Sequence[str]
    data: Sequence[tuple[Any, ...]] | bytes | str


def prepare(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> Rows:
    """Format the rows for their write: the planning pass does this work in Python while
    another thread's write of the previous channel runs, and the write then holds the
    interpreter only to send them.

    PostgreSQL: COPY data made by psycopg's own formatter (its `FileWriter` into memory).
    SQLite: one JSON array, which one `INSERT ... SELECT FROM json_each(?)` unpacks inside
    SQLite: the whole insert is a single step that runs without the interpreter (an
    `executemany` takes it back for every row, so no other thread gets to plan meanwhile),
    and it is faster than `executemany` besides (bench/schedule.py)."""
    connection = session.connection()
    if not rows:
        return Rows(table, columns, rows)
    if connection.dialect.name == "postgresql":
        raw: Any = connection.connection.driver_connection
        buffer = io.BytesIO()
        with (
            _as_sqlalchemy_raises("COPY", connection.dialect.loaded_dbapi.Error),
            raw.cursor() as cursor,
            Copy(cursor, writer=FileWriter(buffer)) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return Rows(table, columns, buffer.getvalue())
    if connection.dialect.loaded_dbapi.sqlite_version_info >= SQLITE_JSON:
        try:
            data = json_text(rows)
        except orjson.JSONEncodeError:  # a lone surrogate, an int wider than 64 bits: the
            pass  # rows go one by one, and the driver says what it makes of them
        else:
            if "\\u0000" not in data:  # json_extract ends text at a NUL; executemany keeps it
                return Rows(table, columns, data)
    return Rows(table, columns, [tuple(map(_stored, row)) for row in rows])


def json_text(value: object) -> str:
    """`value` as compact JSON text, dates and times as SQLAlchemy keeps them in SQLite.

    orjson, not the standard library: for a week's rows it is several times faster, and this
    runs with the interpreter held while the writer thread waits for it (bench/schedule.py)."""
    # Dates and times as values through `_sqlite_value`; keys that are not text written as
    # text (dates in orjson's ISO form), as the standard library would.
    option = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
    return orjson.dumps(value, default=_sqlite_value, option=option).decode()


def _sqlite_value(value: object) -> str:
    """A date or time as SQLAlchemy keeps it in SQLite: ISO dates, UTC times as
    'YYYY-MM-DD HH:MM:SS.ffffff'."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"no SQLite form for {type(value).__name__}")


def _stored(value: object) -> object:
    return _sqlite_value(value) if isinstance(value, dt.date) else value


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
        with (
            _as_sqlalchemy_raises(statement, driver_error),
            raw.cursor() as cursor,
            cursor.copy(statement) as copy,
        ):
            if isinstance(data, bytes):
                copy.write(data)
            else:
                for row in data:
                    copy.write_row(row)
        return
    if isinstance(data, str):
        values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
        statement = f"INSERT INTO {table.name} ({names}) SELECT {values} FROM json_each(?)"
        with _as_sqlalchemy_raises(statement, driver_error):
            raw.execute(statement, (data,))
    else:
        marks = ", ".join("?" * len(columns))
        statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"
        with _as_sqlalchemy_raises(statement, driver_error):
            raw.executemany(statement, data)


@contextlib.contextmanager
def _as_sqlalchemy_raises(statement: str, driver_error: type[Exception]) -> Iterator[None]:
    """Errors of the driver used directly, raised as SQLAlchemy raises them, for callers to
    translate: the database's, and a value the driver cannot send (`UNSENDABLE`) as a
    refused value."""
    try:
        yield
    except driver_error as error:
        raise exc.DBAPIError.instance(statement, None, error, driver_error) from error
    except UNSENDABLE as error:
        raise exc.DataError(statement, None, error) from error


def write_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    write(session, prepare(session, table, columns, rows))


def day_text() -> Callable[[dt.date], str]:
    """`date.isoformat`, computed once per day for the rows of a batch."""
    known: dict[dt.date, str] = {}

    def text(day: dt.date) -> str:
        found = known.get(day)
        if found is None:
            found = known[day] = day.isoformat()
        return found

    return text
