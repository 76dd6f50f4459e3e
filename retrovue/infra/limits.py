"""Input limits, checked before the database so that both engines take exactly the same values.

SQLite keeps what PostgreSQL refuses (a 501-character title in a 500-character column, a
64-bit number in an INTEGER, NaN in JSON, a NUL in text) and refuses what PostgreSQL keeps
(a number past 64 bits); these checks, read from the models' column types, refuse all of them
first with a message naming the field.
"""

from __future__ import annotations

import math
from typing import Any, Final

from sqlalchemy import JSON, BigInteger, Integer, String, event
from sqlalchemy.orm import Session, sessionmaker

from retrovue.errors import ValidationError
from retrovue.schedule_manager.models import Base as BroadcastBase

INT32: Final = (-(2**31), 2**31 - 1)
INT64: Final = (-(2**63), 2**63 - 1)
# Tags, markers and rules are flat or two levels deep; anything deeper is not ours.
MAX_JSON_DEPTH: Final = 16


def check_text(value: str, field: str, max_length: int | None = None) -> str:
    """Text both engines store alike: UTF-8 without NUL, within the column's length."""
    if "\x00" in value:
        raise ValidationError(f"{field} must not contain a NUL character", field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(f"{field} is not valid UTF-8 text", field) from None
    if max_length is not None and len(value) > max_length:
        raise ValidationError(
            f"{field} must be at most {max_length} characters, not {len(value)}", field
        )
    return value


def check_integer(value: int, field: str, low: int = INT32[0], high: int = INT32[1]) -> int:
    if not low <= value <= high:
        raise ValidationError(f"{field} must be between {low} and {high}, not {value}", field)
    return value


def in_id_range(value: int) -> bool:
    """Whether `value` could be a row id (every id column is a 32-bit INTEGER)."""
    return 1 <= value <= INT32[1]


def check_json(value: Any, field: str) -> Any:
    """JSON both engines store alike: finite numbers, clean strings, shallow nesting."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValidationError(f"{field} is nested too deeply", field)
        if isinstance(node, float) and not math.isfinite(node):
            raise ValidationError(f"{field} must not hold NaN or Infinity", field)
        if isinstance(node, int) and not isinstance(node, bool):
            check_integer(node, field, *INT64)
        elif isinstance(node, str):
            check_text(node, field)
        elif isinstance(node, dict):
            for key, item in node.items():
                check_text(str(key), field)
                stack.append((item, depth + 1))
        elif isinstance(node, list | tuple):
            stack.extend((item, depth + 1) for item in node)
    return value


def check_row(row: object) -> None:
    """Every loaded column value of a mapped row within its column's limits."""
    table = getattr(row, "__table__", None)
    if table is None:
        return
    values = vars(row)
    for column in table.columns:
        value = values.get(column.key)
        if value is None:
            continue
        kind = column.type
        if isinstance(kind, String) and isinstance(value, str):
            check_text(value, column.key, kind.length)
        elif isinstance(kind, BigInteger) and isinstance(value, int):
            check_integer(value, column.key, *INT64)
        elif isinstance(kind, Integer) and isinstance(value, int) and not isinstance(value, bool):
            check_integer(value, column.key)
        elif isinstance(kind, JSON):
            check_json(value, column.key)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for row in (*session.new, *session.dirty):
        if isinstance(row, BroadcastBase):
            check_row(row)


def guard(sessions: sessionmaker[Session]) -> None:
    """Check every broadcast row an operator's session writes before it is flushed."""
    event.listen(sessions, "before_flush", _before_flush)
