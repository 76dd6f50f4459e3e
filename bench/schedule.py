"""Scheduling benchmark (run by hand): horizon build, its bulk-insert floor, what_is_airing latency.

.venv/bin/python bench/schedule.py [--channels 100 --days 7 --assets 50000 --rows 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, func, insert, select

from retrovue.infra.db import Database, open_database
from retrovue.schedule_manager.models import (
    CatalogAsset,
    Channel,
    PlaylogEvent,
    Template,
    TemplateBlock,
)
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator
from retrovue.schedule_manager.schedule_service import ScheduleService

MIN = 60_000
NOW = dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.UTC)
EVENTS = cast(Table, PlaylogEvent.__table__)
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


def pad_rows(db: Database, total: int) -> None:
    """Slate rows on extra channels until the playlog holds `total` rows."""
    with db.transaction() as session:
        have = session.scalar(select(func.count()).select_from(EVENTS)) or 0
        number = 100_000
        while have < total:
            channel = Channel(number=number, name="pad", active=False)
            session.add(channel)
            session.flush()
            count = min(200_000, total - have)
            start = NOW - dt.timedelta(days=365)
            step = dt.timedelta(minutes=1)
            session.execute(
                insert(EVENTS),
                [
                    {
                        "channel_id": channel.id,
                        "broadcast_day": (start + i * step).date(),
                        "start_utc": start + i * step,
                        "end_utc": start + (i + 1) * step,
                        "kind": "slate",
                        "asset_id": None,
                        "in_point_ms": 0,
                        "program_group": 0,
                    }
                    for i in range(count)
                ],
            )
            have += count
            number += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--assets", type=int, default=50_000)
    parser.add_argument("--fillers", type=int, default=2_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        seed_catalog(db, args.assets, args.fillers)
        seed_channels(db, args.channels)

        started = time.perf_counter()
        report = ScheduleOrchestrator(db, horizon_hours=args.days * 24 - 1).run_once(NOW)
        a = time.perf_counter() - started
        rows = report.events_written
        print(f"(a) {args.days}-day horizon, {args.channels} channels: {a:.2f} s "
              f"({rows} events, {report.days_built} channel-days)")  # fmt: skip

        with db.reading() as session:
            copied = [dict(r._mapping) for r in session.execute(select(EVENTS))]
        for row in copied:
            del row["id"]
        with db.transaction() as session:
            session.execute(EVENTS.delete())
        started = time.perf_counter()
        with db.transaction() as session:
            session.execute(insert(EVENTS), copied)
        b = time.perf_counter() - started
        print(f"(b) bulk insert floor, {len(copied)} rows: {b:.2f} s;  a/b = {a / b:.2f}")
        # The copy is the benchmark's own garbage: a station holds nothing like it, and its
        # 600k dicts would make every full collection during (c) a latency spike.
        del copied
        gc.collect()

        pad_rows(db, args.rows)
        service = ScheduleService(db)
        rng = random.Random(2)
        span = args.days * 24 * 3600 - 7200
        latencies = []
        for _ in range(args.queries):
            number = rng.randint(1, args.channels)
            at = NOW + dt.timedelta(seconds=rng.randint(0, span))
            started = time.perf_counter()
            airing = service.what_is_airing(number, at)
            latencies.append((time.perf_counter() - started) * 1000)
            assert airing is not None, (number, at)
        latencies.sort()
        p50 = statistics.median(latencies)
        p99 = latencies[int(len(latencies) * 0.99)]
        print(f"(c) what_is_airing at {args.rows} rows: p50 {p50:.3f} ms, p99 {p99:.3f} ms")
        db.dispose()


if __name__ == "__main__":
    main()
