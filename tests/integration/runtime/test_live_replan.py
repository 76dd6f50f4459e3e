"""A channel re-planned while a viewer watches it: nothing on air moves, the stream runs on."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pytest
from capture_analysis import analyse
from conftest import Clip, start_station
from live_capture import Recording, record_for
from sqlalchemy import select

from retrovue.infra.admin_services import (
    AssetAdminService,
    ChannelAdminService,
    TemplateAdminService,
)
from retrovue.infra.db import Database, open_database
from retrovue.schedule_manager.models import EpgEntry, PlaylogEvent
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator
from retrovue.schedule_manager.schedule_service import ScheduleService
from retrovue.schedule_manager.timemath import to_ms

pytestmark = pytest.mark.slow


def _rows(db: Database, model: type[PlaylogEvent] | type[EpgEntry]) -> list[tuple[object, ...]]:
    with db.reading() as session:
        return [
            (r.id, r.start_ms, r.end_ms, r.kind, r.asset_id)
            for r in session.scalars(select(model).order_by(model.start_ms))
        ]


def test_a_replan_while_the_channel_streams_leaves_what_is_on_air_and_the_stream_alone(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    url = f"sqlite:///{tmp_path / 'rv.db'}"
    db = open_database(url)
    names = sorted(clips)
    before_name, after_name = names[0], names[1]
    try:
        assets = AssetAdminService(db)
        ids = {
            name: assets.add_asset(name, clips[name].seconds * 1000, str(clips[name].path),
                                   [name], canonical=True)["id"]
            for name in (before_name, after_name)
        }  # fmt: skip
        templates = TemplateAdminService(db)
        for name in (before_name, after_name):
            templates.create_template(name)
            templates.add_block(name, 360, 360, {"tags": [name], "order": "random"})
        ChannelAdminService(db).create_channel(1, "One", grid_size=15,
                                               default_template=before_name)  # fmt: skip
        ScheduleOrchestrator(db).run_once(dt.datetime.now(dt.UTC))
        station = start_station(url, tmp_path / "data", "--plan-every", "1")
        try:
            capture = tmp_path / "replan.ts"
            recorded: list[Recording] = []
            viewer = threading.Thread(
                target=lambda: recorded.append(record_for(station.base, 1, capture, 16))
            )
            viewer.start()
            time.sleep(5)
            service = ScheduleService(db)
            now = dt.datetime.now(dt.UTC)
            on_air = service.what_is_airing(1, now)
            events, entries = _rows(db, PlaylogEvent), _rows(db, EpgEntry)
            ChannelAdminService(db).update_channel(1, default_template=after_name)
            deadline = time.monotonic() + 8
            while time.monotonic() < deadline:  # the station's own planning pass re-plans
                if any(e[4] == ids[after_name] for e in _rows(db, EpgEntry)):
                    break
                time.sleep(0.2)
            again = service.what_is_airing(1, now)
            viewer.join(timeout=30)
        finally:
            assert station.stop() == 0
    finally:
        db.dispose()
    assert on_air is not None and again is not None
    held = ("event_id", "start_utc", "end_utc", "kind", "asset_id")
    assert [getattr(again.item, k) for k in held] == [getattr(on_air.item, k) for k in held]
    # Every row up to the end of the slot on air is the very same row; after it, the new
    # template's programme.
    later = open_database(url)
    new_entries, new_events = _rows(later, EpgEntry), _rows(later, PlaylogEvent)
    later.dispose()
    slot_end = min(e[1] for e in new_entries if e[4] == ids[after_name])
    assert slot_end >= to_ms(on_air.item.end_utc)
    assert [e for e in new_entries if e[1] < slot_end] == [e for e in entries if e[1] < slot_end]
    assert [e for e in new_events if e[1] < slot_end] == [e for e in events if e[1] < slot_end]
    assert {e[4] for e in new_entries if e[1] >= slot_end} == {ids[after_name]}
    # The viewer's stream ran on through the re-plan: no gap, no stall, no broken packet.
    (recording,) = recorded
    assert not recording.stream_ended and recording.longest_wait_s < 1.0
    report = analyse(capture)
    assert (report.corrupt, report.backwards) == (0, 0)
    assert report.largest_video_gap_s <= 2 / 30 + 1e-6
