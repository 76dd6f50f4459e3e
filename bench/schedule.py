"""Scheduling benchmark (run by hand): both tiers built, their floors, replans, what_is_airing.

.venv/bin/python bench/schedule.py [--engine sqlite|postgresql|both] [--channels 100]
    [--epg-days 14 --hours 48 --assets 50000 --rows 1000000] [--pg-url URL]

Per engine, in one run: (plan) the planner builds the EPG tier `--epg-days` ahead and the
playlog tier `--hours` ahead for every channel; (a) floor: the same rows (both tiers, and the
order snapshots the pass keeps with them) written into the same tables straight through the
DB-API (executemany on SQLite, COPY on PostgreSQL) with their indexes, constraints and gate
triggers, in one transaction; (b) floor: the same rows into copies of the tables without any
constraint, index or trigger; (replan) one channel's template changed, then the station's
planning pass; (airing) `what_is_airing` at `--rows` playlog rows. PostgreSQL runs in a
database made for the run and dropped after it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import psycopg
from sqlalchemy import Table, insert, select, update
from sqlalchemy.engine import make_url

from retrovue.infra.db import Database, open_database
from retrovue.schedule_manager import epg, playlog
from retrovue.schedule_manager.bulk import write_rows
from retrovue.schedule_manager.models import (
    CatalogAsset,
    Channel,
    EpgEntry,
    PlaylogEvent,
    RuleCursor,
    Template,
    TemplateBlock,
)
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator
from retrovue.schedule_manager.schedule_service import ScheduleService
from retrovue.schedule_manager.timemath import to_ms

MIN = 60_000
NOW = dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.UTC)
EVENTS = cast(Table, PlaylogEvent.__table__)
ENTRIES = cast(Table, EpgEntry.__table__)
CURSORS = cast(Table, RuleCursor.__table__)
DAY_MS = 86_400_000
GENRES = (("sitcom", 22, 3), ("drama", 44, 4), ("movie", 100, 6), ("cartoon", 11, 1))
ZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London")


def seed_catalog(db: Database, assets: int, fillers: int) -> None:
    rng = random.Random(1)
    rows: list[dict[str, Any]] = []
    for i in range(assets - fillers):
        genre, minutes, chapters = GENRES[i % len(GENRES)]
        duration = (minutes * 60 + rng.randint(-90, 90)) * 1000
        marks = [{"kind": "chapter", "start_ms": duration * k // (chapters + 1), "end_ms": None}
                 for k in range(chapters + 1)]  # fmt: skip
        rows.append(
            {
                "title": f"{genre} {i}",
                "kind": "program",
                "duration_ms": duration,
                "file_path": f"/media/{i}.mkv",
                "tags": [genre],
                "canonical": True,
                "available": True,
                "series": f"{genre} series {i % 400}",
                "season": 1 + i // 4000,
                "episode": i % 4000,
                "markers": marks,
            }
        )
    kinds = ("commercial", "commercial", "commercial", "promo", "station_id", "bumper")
    for j in range(fillers):
        kind = kinds[j % len(kinds)]
        seconds = 5 if kind == "bumper" else rng.choice((10, 15, 15, 30, 30, 30, 60))
        rows.append(
            {
                "title": f"{kind} {j}",
                "kind": kind,
                "duration_ms": seconds * 1000,
                "file_path": f"/spots/{j}.mkv",
                "tags": [kind],
                "canonical": True,
                "available": True,
                "markers": [],
            }
        )
    with db.transaction() as session:
        session.execute(insert(CatalogAsset), rows)


def seed_channels(db: Database, channels: int) -> None:
    filler = ["commercial", "promo", "station_id"]

    def rule(tag: str, order: str, **extra: Any) -> dict[str, Any]:
        return {"tags": [tag], "order": order, "filler_tags": filler, **extra}

    layouts = [
        [(360, 720, rule("sitcom", "sequential", bumper_tags=["bumper"])),
         (720, 1080, rule("drama", "random")), (1080, 1320, rule("sitcom", "shuffle")),
         (1320, 120, rule("movie", "least_recently_used")), (120, 360, rule("cartoon", "random"))],
        [(360, 360, rule("sitcom", "sequential", breaks="even"))],
        [(360, 1200, rule("cartoon", "shuffle")), (1200, 360, rule("movie", "random"))],
    ]  # fmt: skip
    with db.transaction() as session:
        templates = []
        for n, blocks in enumerate(layouts):
            template = Template(name=f"layout {n}")
            template.blocks = [TemplateBlock(start_minutes=s, end_minutes=e, rule_json=r)
                               for s, e, r in blocks]  # fmt: skip
            session.add(template)
            templates.append(template)
        session.flush()
        for number in range(1, channels + 1):
            session.add(
                Channel(
                    number=number,
                    name=f"Channel {number}",
                    timezone=ZONES[number % 4],
                    default_template_id=templates[number % len(templates)].id,
                )
            )


def pad_rows(db: Database, total: int) -> int:
    """Slate rows on extra, inactive channels until the playlog holds `total` rows."""
    with db.reading() as session:
        have = len(session.execute(select(EVENTS.c.id)).all())
    start = to_ms(NOW) - 365 * DAY_MS
    number = 100_000
    while have < total:
        with db.transaction() as session:
            channel = Channel(number=number, name="pad", active=False)
            session.add(channel)
            session.flush()
            count = min(200_000, total - have)
            rows = [
                (channel.id, "2025-01-01", start + i * 60_000, start + (i + 1) * 60_000,
                 "slate", None, 0, 0, None)
                for i in range(count)
            ]  # fmt: skip
            write_rows(session, EVENTS, playlog.COLUMNS, rows)
        have += count
        number += 1
    return have


class Raw:
    """A DB-API connection of the engine's own driver, outside SQLAlchemy: the floors."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.postgres = parsed.get_backend_name() == "postgresql"
        if self.postgres:
            self.conn: Any = psycopg.connect(parsed.set(drivername="postgresql").render_as_string(
                hide_password=False))  # fmt: skip
            self.prefix = "broadcast."
        else:
            self.conn = sqlite3.connect(parsed.database or "")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.prefix = ""

    def write(
        self,
        table: str,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        one_statement: bool = False,
    ) -> None:
        names = ", ".join(columns)
        if self.postgres:
            with (
                self.conn.cursor() as cur,
                cur.copy(f"COPY {self.prefix}{table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        elif one_statement:  # the rows as one JSON array, unpacked inside SQLite
            values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
            self.conn.execute(f"INSERT INTO {table} ({names}) SELECT {values} FROM json_each(?)",
                              (json.dumps(rows),))  # fmt: skip
        else:
            marks = ", ".join("?" * len(columns))
            self.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def execute(self, sql: str) -> None:
        self.conn.execute(sql)

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()


def read_rows(db: Database, table: Table, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    with db.connection() as connection:
        cursor: Any = connection.connection.driver_connection.cursor()
        prefix = "broadcast." if db.dialect == "postgresql" else ""
        # JSON as its text, as it is written back (psycopg would decode it).
        names = ["state::text" if c == "state" and prefix else c for c in columns]
        cursor.execute(f"SELECT {', '.join(names)} FROM {prefix}{table.name} ORDER BY id")
        return [tuple(r) for r in cursor.fetchall()]


def floors(db: Database, url: str) -> tuple[float, float | None, float, list[int]]:
    """(a), (a2) and (b) for the rows the planner wrote (both tiers, and the order snapshots
    a pass keeps with them): seconds each, and how many rows of each. (a2), SQLite only, is
    (a) as one INSERT ... SELECT FROM json_each per table, the way the planner writes."""
    tiers = [(ENTRIES, epg.COLUMNS), (EVENTS, playlog.COLUMNS), (CURSORS, playlog.CURSOR_COLUMNS)]
    copied = [read_rows(db, table, columns) for table, columns in tiers]
    with db.transaction() as session:
        for table, _ in tiers:
            session.execute(table.delete())
    raw = Raw(url)
    try:
        started = time.perf_counter()
        for (table, columns), rows in zip(tiers, copied, strict=True):
            raw.write(table.name, columns, rows)
        raw.commit()
        a = time.perf_counter() - started
        a2 = None
        if not raw.postgres:
            for table, _ in tiers:
                raw.execute(f"DELETE FROM {table.name}")
            raw.commit()
            started = time.perf_counter()
            for (table, columns), rows in zip(tiers, copied, strict=True):
                raw.write(table.name, columns, rows, one_statement=True)
            raw.commit()
            a2 = time.perf_counter() - started
        for table, _ in tiers:
            where = "WHERE 1 = 0"
            raw.execute(f"CREATE TABLE {raw.prefix}bare_{table.name} AS "
                        f"SELECT * FROM {raw.prefix}{table.name} {where}")  # fmt: skip
        raw.commit()
        started = time.perf_counter()
        for (table, columns), rows in zip(tiers, copied, strict=True):
            raw.write(f"bare_{table.name}", columns, rows)
        raw.commit()
        b = time.perf_counter() - started
        for table, _ in tiers:
            raw.execute(f"DROP TABLE {raw.prefix}bare_{table.name}")
        raw.commit()
    finally:
        raw.close()
    return a, a2, b, [len(rows) for rows in copied]


def replan_one_channel(db: Database, orchestrator: ScheduleOrchestrator) -> tuple[float, int]:
    """Channel 1 gets another template; the station's next planning pass re-plans it (the
    station's own orchestrator, which keeps the catalog it loaded while the catalog stands)."""
    with db.transaction() as session:
        channel = session.scalars(select(Channel).where(Channel.number == 1)).one()
        other = session.scalars(
            select(Template.id).where(Template.id != channel.default_template_id)
        ).first()
        session.execute(update(Channel).where(Channel.id == channel.id)
                        .values(default_template_id=other))  # fmt: skip
    started = time.perf_counter()
    report = orchestrator.run_once(NOW + dt.timedelta(minutes=1))
    return time.perf_counter() - started, report.days_built


def airing_latency(db: Database, channels: int, hours: float, queries: int) -> tuple[float, float]:
    service = ScheduleService(db)
    rng = random.Random(2)
    span = int(hours * 3600) - 60
    latencies = []
    for _ in range(queries):
        number = rng.randint(1, channels)
        at = NOW + dt.timedelta(seconds=rng.randint(0, span))
        started = time.perf_counter()
        airing = service.what_is_airing(number, at)
        latencies.append((time.perf_counter() - started) * 1000)
        assert airing is not None, (number, at)
    latencies.sort()
    return statistics.median(latencies), latencies[int(len(latencies) * 0.99)]


def run(url: str, args: argparse.Namespace) -> None:
    db = open_database(url)
    try:
        seed_catalog(db, args.assets, args.fillers)
        seed_channels(db, args.channels)
        gc.collect()
        orchestrator = ScheduleOrchestrator(db, horizon_hours=args.hours, epg_days=args.epg_days)
        started = time.perf_counter()
        report = orchestrator.run_once(NOW)
        built = time.perf_counter() - started
        print(f"  plan: {args.epg_days:g}-day EPG tier ({report.entries_written} entries, "
              f"{report.days_built} channel-days) + {args.hours:g}-hour playlog tier "
              f"({report.events_written} events, {report.days_laid} channel-days): "
              f"{built:.2f} s")  # fmt: skip
        replan, days = replan_one_channel(db, orchestrator)
        print(f"  replan: channel 1's template changed, next planning pass: {replan:.3f} s "
              f"({days} channel-days re-planned)")  # fmt: skip
        a, a2, b, counts = floors(db, url)
        print(f"  (a) DB-API bulk write of the same rows ({counts[0]} guide entries, {counts[1]} "
              f"events, {counts[2]} order snapshots), same tables: {a:.2f} s; "
              f"plan / a = {built / a:.2f}")  # fmt: skip
        if a2 is not None:
            print(f"  (a2) the same, one INSERT ... SELECT FROM json_each per table: {a2:.2f} s; "
                  f"plan / a2 = {built / a2:.2f}")  # fmt: skip
        print(f"  (b) the same rows, tables without constraints: {b:.2f} s; "
              f"plan / b = {built / b:.2f}")  # fmt: skip
        total = pad_rows(db, args.rows)
        p50, p99 = airing_latency(db, args.channels, args.hours, args.queries)
        print(f"  what_is_airing at {total} playlog rows: p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server to make the run's database on")  # fmt: skip
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--epg-days", type=float, default=14)
    parser.add_argument("--hours", type=float, default=48)
    parser.add_argument("--assets", type=int, default=50_000)
    parser.add_argument("--fillers", type=int, default=2_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=5_000)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    if args.engine in ("sqlite", "both"):
        print("SQLite")
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.db'}", args)
    if args.engine in ("postgresql", "both"):
        print("PostgreSQL")
        server = make_url(args.pg_url)
        name = f"retrovue_bench_{os.getpid()}"
        admin = psycopg.connect(server.set(drivername="postgresql").render_as_string(
            hide_password=False), autocommit=True)  # fmt: skip
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            run(server.set(database=name).render_as_string(hide_password=False), args)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
