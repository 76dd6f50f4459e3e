"""A 2,000-item Jellyfin or Emby library end to end: sync, promote, schedule, air, re-sync."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_mediabrowser import API_KEY, FakeMediaServer
from library_media import Clips, ffprobe_duration_ms
from mediabrowser_library import build

from retrovue.domain import probe as probing
from retrovue.domain.probe import ProbeResult, probe
from retrovue.domain.sources import server_sync
from retrovue.infra.bootstrap import Station
from retrovue.schedule_manager.schedule_orchestrator import ScheduleOrchestrator
from retrovue.schedule_manager.schedule_service import ScheduleService

NOW = dt.datetime(2026, 12, 1, 20, 5, tzinfo=dt.UTC)


@pytest.fixture(params=["jellyfin", "emby"])
def big(request: pytest.FixtureRequest) -> Iterator[FakeMediaServer]:
    """10 shows x 4 seasons x 45 episodes and 200 movies: 2,000 files (and 10 announced,
    missing episodes, and a music library, that a sync must pass over)."""
    server = FakeMediaServer(request.param, build())
    try:
        yield server
    finally:
        server.close()


@pytest.mark.slow
def test_a_2000_item_library_airs_one_item_through_a_path_mapping_and_resyncs_for_free(
    station: Station,
    big: FakeMediaServer,
    clips: Clips,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    probed: list[str] = []

    def counted(path: str) -> ProbeResult:
        probed.append(path)
        return probing.probe(path)

    monkeypatch.setattr(server_sync, "probe", counted)
    # The one file this machine holds, under the NAS mount the server's /media is seen at.
    chosen = big.library.named("Episode 7 of Show 03")
    nas = tmp_path / "nas"
    local = clips.copy(clips.chaptered, nas / chosen["Path"].removeprefix("/media/"))
    # Saved well before the first sync: a save within the second it starts is (rightly) read
    # again by the next one, which would blur what this test counts.
    big.library.touch(
        chosen["Id"], saved=NOW - dt.timedelta(days=30), runtime_ms=ffprobe_duration_ms(local)
    )
    station.library.add_source("Lib", big.flavour, url=big.url, token=API_KEY)
    station.library.map_path("Lib", "/media", str(nas))

    first = station.library.sync("Lib")
    assert (first["seen"], first["added"], first["failed"]) == (2000, 2000, 0)
    pages = [r.params["StartIndex"] for r in big.requests if "StartIndex" in r.params]
    assert pages == ["0", "500", "1000", "1500", "0"]  # shows (1,800 episodes), movies (200)
    item = next(
        i
        for i in station.library.list_items(source="Lib", series="Show 03")
        if (i["season"], i["episode"]) == (chosen["ParentIndexNumber"], 7)
    )
    [asset] = station.promotion.promote([item["id"]], tags=["retro"])
    assert asset["file_path"] == str(local)
    assert [m["kind"] for m in asset["markers"]].count("chapter") == 4

    station.templates.create_template("retro")
    station.templates.add_block("retro", 0, 0, {"tags": ["retro"], "breaks": "none"})
    station.channels.create_channel(5, "Retro Five", default_template="retro")
    ScheduleOrchestrator(station.db, horizon_hours=2).run_once(NOW)
    aired = [
        i
        for i in ScheduleService(station.db).items_between(5, NOW, NOW + dt.timedelta(hours=1))
        if i.asset_id == asset["id"]
    ]
    assert aired and all(i.file_path == str(local) and i.title == "Show 03" for i in aired)
    assert probe(str(local)).video_codec == "h264"  # a real, playable file

    big.reset_counts()
    probed.clear()
    again = station.library.sync("Lib")
    assert (again["skipped"], again["probed"], again["updated"], again["vanished"]) == (
        2000,
        0,
        0,
        0,
    )
    assert big.item_requests() == [] and big.full_records_served == 0
    assert probed == []
