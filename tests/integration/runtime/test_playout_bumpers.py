"""A captured break: the into-break bumper follows the program, the out-of-break one precedes it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from capture_analysis import analyse
from conftest import Clip, start_station
from live_capture import record_for

from retrovue.infra.admin_services import AssetAdminService, ChannelAdminService
from retrovue.infra.db import Database, open_database
from retrovue.schedule_manager.breaks import BreakFiller, Event
from retrovue.schedule_manager.catalog import Catalog
from retrovue.schedule_manager.models import Channel, PlaylogEvent
from retrovue.schedule_manager.planner import Block, ChannelPlanner
from retrovue.schedule_manager.rules import Selector
from retrovue.schedule_manager.timemath import ChannelClock, to_ms

# The program is the red clip; blue opens breaks ("we'll be right back"), green closes them.
ROLES = {"red": ["sitcom"], "blue": ["bumper-in"], "green": ["bumper-out"]}
RULE = {
    "tags": ["sitcom"], "breaks": "end", "filler_tags": [],
    "bumper_in_tags": ["bumper-in"], "bumper_out_tags": ["bumper-out"],
}  # fmt: skip
PAD_S = 3  # the planned pad fills the rest of a 15-minute slot; the capture keeps 3 s of it


def planned_slots(db: Database) -> list[list[Event]]:
    """The first two slots the planner lays out for RULE, each one program and its break."""
    with db.reading() as session:
        catalog = Catalog.load(session)
    planner = ChannelPlanner(1, ChannelClock("UTC", 15), Selector(catalog), BreakFiller(catalog))
    events = planner.events(planner.plan_day(dt.date(2026, 12, 1), [Block(360, 360, RULE)], {}, 0))
    groups = sorted({e.program_group for e in events})[:2]
    return [[e for e in events if e.program_group == g] for g in groups]


def air_now(db: Database, slots: list[list[Event]], start: dt.datetime) -> None:
    """Write the planned slots to channel 1's playlog from `start`, the pad cut to PAD_S."""
    with db.transaction() as session:
        channel_id = session.query(Channel.id).filter(Channel.number == 1).scalar()
        at = start
        for slot in slots:
            group = int(at.timestamp())
            for event in slot:
                seconds = PAD_S if event.kind == "slate" else (event.end_ms - event.start_ms) / 1000
                end = at + dt.timedelta(seconds=seconds)
                session.add(
                    PlaylogEvent(
                        channel_id=channel_id, broadcast_day=at.date(), start_ms=to_ms(at),
                        end_ms=to_ms(end), kind=event.kind, asset_id=event.asset_id,
                        in_point_ms=event.in_point_ms, program_group=group,
                    )
                )  # fmt: skip
                at = end


@pytest.mark.slow
def test_a_captured_break_opens_with_the_into_break_bumper_and_closes_with_the_other(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    url = f"sqlite:///{tmp_path / 'rv.db'}"
    db = open_database(url)
    try:
        ChannelAdminService(db).create_channel(1, "Test 1", grid_size=15)
        for name, tags in ROLES.items():
            clip = clips[name]
            kind = "program" if name == "red" else "bumper"
            AssetAdminService(db).add_asset(
                name, clip.seconds * 1000, str(clip.path), tags, kind, canonical=True
            )
        slots = planned_slots(db)
        kinds = [[e.kind for e in slot] for slot in slots]
        assert kinds == [["program", "bumper", "slate", "bumper"]] * 2, kinds
        station = start_station(url, tmp_path / "data")
        try:
            # Written once the station listens, so a slow start cannot eat the first program;
            # from the second begun (a channel opens on the second before its tune-in).
            air_now(db, slots, dt.datetime.now(dt.UTC).replace(microsecond=0))
            # red 4 s, blue 3 s, slate 3 s, green 5 s, then red again: 15 s and some to spare.
            recording = record_for(station.base, 1, tmp_path / "break.ts", 18)
        finally:
            station.stop()
    finally:
        db.dispose()
    assert not recording.stream_ended
    assert settled_colours(analyse(recording.path).video)[:5] == [
        "red", "blue", "slate", "green", "red",
    ]  # fmt: skip


def settled_colours(timeline: list[tuple[float, str]], settle: int = 3) -> list[str]:
    """The colours the capture shows in turn, each held for at least `settle` pictures."""
    shown: list[str] = []
    for index, (_, name) in enumerate(timeline):
        ahead = [n for _, n in timeline[index : index + settle]]
        held = name != "other" and len(ahead) == settle and set(ahead) == {name}
        if held and (not shown or shown[-1] != name):
            shown.append(name)
    return shown
