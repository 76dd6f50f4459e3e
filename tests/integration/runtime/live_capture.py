"""Recording a live channel and placing its pictures on the wall clock through the as-run log."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import av
import httpx
from capture_analysis import bar_position_s, classify_colour
from sqlalchemy import select

from retrovue.infra.db import open_database
from retrovue.schedule_manager.models import AsRunEvent, Channel


@dataclass(frozen=True)
class Recording:
    path: Path
    sent: float  # time.time() just before the request
    answered: float  # time.time() when the response headers arrived
    stream_ended: bool  # the station ended the stream before we stopped reading
    longest_wait_s: float = 0.0  # the longest the client waited for bytes after the first


def record_for(base: str, number: int, path: Path, seconds: float) -> Recording:
    """Record `seconds` of channel `number`'s .ts (the client is built before the clock reads)."""
    with httpx.Client(timeout=10) as client:
        sent = time.time()
        with client.stream("GET", f"{base}/iptv/channel/{number}.ts") as response:
            answered = time.time()
            assert response.status_code == 200
            ended = True
            longest = 0.0
            with path.open("wb") as sink:
                started = time.monotonic()
                last: float | None = None
                for data in response.iter_bytes():
                    arrived = time.monotonic()
                    if last is not None:
                        longest = max(longest, arrived - last)
                    last = arrived
                    sink.write(data)
                    if arrived - started >= seconds:
                        ended = False
                        break
    return Recording(path, sent, answered, ended, longest)


@dataclass(frozen=True)
class AsRunRow:
    channel: int
    status: str
    reason: str | None
    asset_id: int | None
    started: dt.datetime
    ended: dt.datetime | None


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def asrun_log(url: str) -> list[AsRunRow]:
    db = open_database(url)
    try:
        with db.reading() as session:
            numbers = {cid: num for cid, num in session.execute(select(Channel.id, Channel.number))}
            rows = session.scalars(select(AsRunEvent).order_by(AsRunEvent.id))
            found = []
            for r in rows:
                started = _utc(r.started_utc)
                assert started is not None
                found.append(
                    AsRunRow(
                        numbers[r.channel_id],
                        r.status,
                        r.reason,
                        r.asset_id,
                        started,
                        _utc(r.ended_utc),
                    )
                )
            return found
    finally:
        db.dispose()


@dataclass(frozen=True)
class Picture:
    wall: dt.datetime  # when the station scheduled this picture
    colour: str
    bar_s: float | None  # the clip position the picture shows, when it shows a clip's bar


def pictures(path: Path, tuned_at: dt.datetime) -> list[Picture]:
    """Every decoded picture, placed on the wall clock: the first one airs at `tuned_at`.

    `tuned_at` is the first as-run row's start: the station's own record of when it began the
    stream, which the tests bound between the request and its answer.
    """
    found: list[Picture] = []
    with av.open(str(path)) as container:
        first: float | None = None
        for frame in container.decode(video=0):
            t = float(frame.pts * frame.time_base)
            first = t if first is None else first
            colour = classify_colour(frame)
            try:
                bar = bar_position_s(frame) if colour not in ("slate", "emergency") else None
            except ValueError:
                bar = None
            wall = tuned_at + dt.timedelta(seconds=t - first)
            found.append(Picture(wall, colour, bar))
    return found


def first_of(found: list[Picture], colour: str, after: dt.datetime) -> Picture:
    """The first picture of `colour` at or after `after` that the next two pictures confirm."""
    for index, picture in enumerate(found):
        if picture.wall < after or picture.colour != colour:
            continue
        if all(p.colour == colour for p in found[index : index + 3]):
            return picture
    raise AssertionError(f"no {colour} picture after {after:%H:%M:%S.%f}")
