"""A live capture across slate, a commercial and a programme passes the broadcast transport
checks, and names the channel in its SDT."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from capture_analysis import analyse, transitions
from conftest import Clip, need_tool, start_station
from live_capture import record_for
from sqlalchemy import select
from test_muxer_transport import check_transport
from transport_analysis import analyse_transport

from retrovue.infra.admin_services import AssetAdminService, ChannelAdminService
from retrovue.infra.db import open_database
from retrovue.schedule_manager.models import Channel, PlaylogEvent
from retrovue.schedule_manager.timemath import to_ms

NAME = "Retro Test"
SLATE_S, COMMERCIAL, PROGRAMME = 4, "yellow", "cyan"
AUDIO_GAP_S = 0.025


def channel_with_spots(url: str, clips: dict[str, Clip]) -> dict[str, int]:
    """Channel 1 and the two clips as canonical assets; their ids."""
    db = open_database(url)
    try:
        ChannelAdminService(db).create_channel(1, NAME, grid_size=15)
        assets = AssetAdminService(db)
        return {
            name: assets.add_asset(name, clips[name].seconds * 1000, str(clips[name].path),
                                   canonical=True)["id"]
            for name in (COMMERCIAL, PROGRAMME)
        }  # fmt: skip
    finally:
        db.dispose()


def slate_commercial_programme(
    url: str, clips: dict[str, Clip], spots: dict[str, int], start: dt.datetime
) -> None:
    """Slate from `start`, then the commercial, then the programme, then more slate."""
    db = open_database(url)
    try:
        plan = [
            ("slate", None, SLATE_S),
            ("commercial", spots[COMMERCIAL], clips[COMMERCIAL].seconds),
            ("program", spots[PROGRAMME], clips[PROGRAMME].seconds),
            ("slate", None, 60),
        ]
        with db.transaction() as session:
            channel_id = session.scalars(select(Channel.id).where(Channel.number == 1)).one()
            at = start
            for kind, asset, seconds in plan:
                end = at + dt.timedelta(seconds=seconds)
                session.add(
                    PlaylogEvent(
                        channel_id=channel_id, broadcast_day=at.date(), start_ms=to_ms(at),
                        end_ms=to_ms(end), kind=kind, asset_id=asset, in_point_ms=0,
                        program_group=int(at.timestamp()),
                    )
                )  # fmt: skip
                at = end
    finally:
        db.dispose()


@pytest.mark.slow
def test_a_capture_across_slate_a_commercial_and_a_programme_is_broadcast_clean(
    tmp_path: Path, clips: dict[str, Clip]
) -> None:
    ffprobe = need_tool("ffprobe")
    url = f"sqlite:///{tmp_path / 'rv.db'}"
    spots = channel_with_spots(url, clips)
    station = start_station(url, tmp_path / "data")
    capture = tmp_path / "capture.ts"
    try:
        # Planned once the station is up, so the capture opens on the slate.
        start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=0.5)
        slate_commercial_programme(url, clips, spots, start)
        seconds = SLATE_S + clips[COMMERCIAL].seconds + 4
        record_for(station.base, 1, capture, seconds)
    finally:
        station.stop()
    # What aired: slate, then the commercial, then the programme.
    aired = analyse(capture)
    seen = [name for _, name in transitions(aired.video)]
    assert seen[:2] == [COMMERCIAL, PROGRAMME], seen
    # Sound all the way, the slate's silence too: no AAC frame (21.3 ms) missing anywhere.
    assert aired.largest_audio_gap_s <= AUDIO_GAP_S, aired.largest_audio_gap_s
    report = analyse_transport(capture)
    assert (report.service_name, report.provider_name) == (NAME, "RetroVue")
    check_transport(report)
    probed = subprocess.run(
        [ffprobe, "-v", "error", "-of", "json", "-show_programs", str(capture)],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert [p["tags"]["service_name"] for p in json.loads(probed.stdout)["programs"]] == [NAME]
