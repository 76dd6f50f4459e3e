"""Printing results: rich tables for people, stable JSON for scripts, one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def emit_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=False, default=str))


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def table(rows: Iterable[dict[str, Any]], columns: Sequence[str], title: str | None = None) -> None:
    grid = Table(title=title, show_lines=False)
    for column in columns:
        grid.add_column(column.replace("_", " "))
    for row in rows:
        grid.add_row(*(cell(row.get(c)) for c in columns))
    out.print(grid)


def record(data: dict[str, Any], skip: Sequence[str] = ()) -> None:
    """One row shown as key/value lines."""
    grid = Table(show_header=False, box=None)
    grid.add_column(style="bold")
    grid.add_column()
    for key, value in data.items():
        if key not in skip:
            grid.add_row(key.replace("_", " "), cell(value))
    out.print(grid)


def show(data: Any, as_json: bool, columns: Sequence[str] | None = None) -> None:
    if as_json:
        emit_json(data)
    elif isinstance(data, list):
        table(data, columns or (list(data[0]) if data else []))
    else:
        record(data)


def done(message: str) -> None:
    out.print(message)


def warn(message: str) -> None:
    err.print(f"warning: {message}")


def error(message: str) -> None:
    """An error as exactly one line: whitespace runs folded, other unprintables escaped."""
    folded = " ".join(message.split())
    line = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in folded)
    sys.stderr.write(f"error: {line or 'unknown error'}\n")
    sys.stderr.flush()
