"""How a command reaches the station: the `--db` option and the opened services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from retrovue.infra.bootstrap import Station, open_station


@contextmanager
def station(ctx: typer.Context) -> Iterator[Station]:
    """The station database named by `--db`, RETROVUE_DATABASE_URL, or the default."""
    opened = open_station(ctx.obj.get("db") if ctx.obj else None)
    try:
        yield opened
    finally:
        opened.close()
