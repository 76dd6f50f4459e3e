"""Jellyfin and Emby sources against the fake servers: metadata, versions, markers, increments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_mediabrowser import API_KEY, FakeMediaServer
from library_media import Clips, ffprobe_duration_ms

from retrovue.domain import probe as probing
from retrovue.domain.models import Source
from retrovue.domain.probe import ProbeResult
from retrovue.domain.sources import server_sync
from retrovue.domain.sources.media_server import MediaServer
from retrovue.domain.sources.mediabrowser import EmbyClient, JellyfinClient
from retrovue.errors import SourceError
from retrovue.infra.bootstrap import Station
from retrovue.infra.library_services import LibraryService


@pytest.fixture
def probes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The files the sync probes itself (the real probe, counted)."""
    seen: list[str] = []

    def counted(path: str) -> ProbeResult:
        seen.append(path)
        return probing.probe(path)

    monkeypatch.setattr(server_sync, "probe", counted)
    yield seen


def _add(station: Station, server: FakeMediaServer, **options: Any) -> None:
    station.library.add_source("Lib", server.flavour, url=server.url, token=API_KEY, **options)


def _items(station: Station) -> dict[str, dict[str, Any]]:
    return {
        str(i["title"]): station.library.get_item(int(i["id"]))
        for i in station.library.list_items(source="Lib", include_deleted=True)
    }


def _markers(item: dict[str, Any]) -> list[tuple[str, int, int | None]]:
    return [(m["kind"], m["start_ms"], m["end_ms"]) for m in item["markers"]]


def test_episodes_and_movies_arrive_with_their_editorial_metadata(
    station: Station, mediabrowser: FakeMediaServer
) -> None:
    _add(station, mediabrowser)
    report = station.library.sync("Lib")
    # 2 shows x 5 episodes and 4 movies; the announced, missing episodes and music are not.
    assert (report["seen"], report["added"]) == (14, 14)
    items = _items(station)
    episode = items["Episode 2 of Show 01"]
    assert (episode["series"], episode["season"], episode["episode"]) == ("Show 01", 1, 2)
    assert episode["plot"] == "In which episode 2 happens."
    # The episode names no genre or rating of its own: the show's stand.
    assert (episode["genres"], episode["content_rating"]) == (["Drama"], "TV-PG")
    assert (episode["air_date"], episode["year"]) == ("1981-09-15", 1981)
    assert (episode["duration_ms"], episode["probe"]["width"], episode["probe"]["fps"]) == (
        22 * 60_000,
        1280,
        29.97,
    )
    heard = [
        {k: a[k] for k in ("codec", "channels", "language")} for a in episode["probe"]["audio"]
    ]
    assert heard == [{"codec": "aac", "channels": 2, "language": "eng"}]
    movie = items["Movie 001"]
    assert (movie["series"], movie["content_rating"], movie["year"]) == (None, "PG", 1971)
    assert {r["provider"]: r["key"] for r in movie["provider_refs"]} == {
        mediabrowser.flavour: mediabrowser.library.named("Movie 001")["Id"],
        "imdb": "tt1000001",
        "tmdb": "501",
    }
    assert "Unaired" not in items


def test_chapters_become_markers_and_break_candidates_and_emby_marks_intro_and_credits(
    station: Station, mediabrowser: FakeMediaServer
) -> None:
    _add(station, mediabrowser)
    station.library.sync("Lib")
    markers = _markers(_items(station)["Episode 1 of Show 00"])
    acts = [("chapter", n * 330_000, (n + 1) * 330_000) for n in range(4)]
    breaks = [("break", n * 330_000, None) for n in range(1, 4)]
    expected = acts + breaks
    if mediabrowser.flavour == "emby":
        expected += [("intro", 30_000, 90_000), ("credits", 1_200_000, 1_320_000)]
    assert sorted(markers, key=lambda m: (m[1], m[0])) == sorted(
        expected, key=lambda m: (m[1], m[0])
    )


def test_of_a_movies_versions_the_720p_h264_one_airs(
    station: Station, mediabrowser: FakeMediaServer
) -> None:
    _add(station, mediabrowser)
    station.library.sync("Lib")
    movie = _items(station)["Movie 000"]
    assert movie["path"] == "/media/Movies/Movie 000 (1970)/Movie 000 - 720p.mkv"
    assert (movie["probe"]["height"], movie["probe"]["video_codec"]) == (720, "h264")


def test_a_named_library_is_the_only_one_read(
    station: Station, mediabrowser: FakeMediaServer
) -> None:
    _add(station, mediabrowser, libraries=["movies"])
    report = station.library.sync("Lib")
    assert report["seen"] == 4
    assert all(i["series"] is None for i in station.library.list_items(source="Lib"))


@pytest.mark.parametrize(
    ("library", "problem"),
    [
        ("Cartoons", r"no library named 'Cartoons' \(its video libraries: Movies, Shows\)"),
        ("Music", r"library 'Music' holds music, not video"),
    ],
)
def test_a_library_that_is_not_there_or_not_video_is_refused(
    station: Station, mediabrowser: FakeMediaServer, library: str, problem: str
) -> None:
    _add(station, mediabrowser, libraries=[library])
    with pytest.raises(SourceError, match=problem):
        station.library.sync("Lib")
    assert station.library.list_items() == []


def test_an_unchanged_resync_lists_every_item_but_reads_and_probes_none(
    station: Station, mediabrowser: FakeMediaServer, probes: list[str]
) -> None:
    _add(station, mediabrowser)
    station.library.sync("Lib")
    mediabrowser.reset_counts()
    probes.clear()
    report = station.library.sync("Lib")
    assert (report["skipped"], report["probed"], report["updated"]) == (14, 0, 0)
    assert mediabrowser.item_requests() == []
    assert mediabrowser.full_records_served == 0
    assert probes == []
    # Everything still listed (ids and change tokens only), and asked for what changed since.
    dated = [r for r in mediabrowser.requests if "MinDateLastSaved" in r.params]
    assert len(dated) == 2 and all(r.params["Fields"].startswith("Path,") for r in dated)


def test_a_changed_item_is_the_only_one_read_again_and_its_catalog_row_follows(
    station: Station, mediabrowser: FakeMediaServer, clips: Clips, tmp_path: Path
) -> None:
    episode = mediabrowser.library.named("Episode 3 of Show 00")
    clips.copy(clips.chaptered, tmp_path / "nas" / episode["Path"].removeprefix("/media/"))
    _add(station, mediabrowser)
    station.library.map_path("Lib", "/media", str(tmp_path / "nas"))
    station.library.sync("Lib")
    [asset] = station.promotion.promote([_items(station)["Episode 3 of Show 00"]["id"]])
    mediabrowser.library.touch(episode["Id"], runtime_ms=21 * 60_000, Name="Episode 3, recut")
    mediabrowser.reset_counts()
    report = station.library.sync("Lib")
    assert (report["skipped"], report["updated"], report["refreshed"]) == (13, 1, 1)
    # Its record came with the listing of what changed; only its show was asked for by id.
    assert mediabrowser.full_records_served == 1
    assert [r.params["Ids"] for r in mediabrowser.item_requests()] == [episode["SeriesId"]]
    assert station.assets.get_asset(asset["id"])["duration_ms"] == 21 * 60_000


def test_a_change_the_date_filter_misses_is_still_read_by_id(
    station: Station, mediabrowser: FakeMediaServer
) -> None:
    """A server whose clock ran behind saves a change 'in the past'; its Etag still tells."""
    _add(station, mediabrowser)
    station.library.sync("Lib")
    movie = mediabrowser.library.named("Movie 002")
    mediabrowser.library.touch(
        movie["Id"], saved=dt.datetime(2001, 1, 1, tzinfo=dt.UTC), Overview="Re-edited."
    )
    mediabrowser.reset_counts()
    report = station.library.sync("Lib")
    assert report["updated"] == 1
    [by_id] = mediabrowser.item_requests()
    assert by_id.params["Ids"] == movie["Id"]
    assert _items(station)["Movie 002"]["plot"] == "Re-edited."


def test_an_item_the_server_no_longer_lists_is_gone_and_its_catalog_row_withdrawn(
    station: Station, mediabrowser: FakeMediaServer, clips: Clips, tmp_path: Path
) -> None:
    movie = mediabrowser.library.named("Movie 003")
    clips.copy(clips.plain, tmp_path / "nas" / movie["Path"].removeprefix("/media/"))
    _add(station, mediabrowser)
    station.library.map_path("Lib", "/media", str(tmp_path / "nas"))
    station.library.sync("Lib")
    [asset] = station.promotion.promote([_items(station)["Movie 003"]["id"]])
    mediabrowser.library.remove(movie["Id"])
    report = station.library.sync("Lib")
    assert (report["vanished"], report["withdrawn"]) == (1, 1)
    row = station.assets.get_asset(asset["id"])
    assert (row["available"], row["canonical"]) == (False, False)
    assert _items(station)["Movie 003"]["soft_deleted"] is True


def test_a_file_the_server_has_not_analysed_is_probed_once_through_the_path_mapping(
    station: Station,
    mediabrowser: FakeMediaServer,
    clips: Clips,
    tmp_path: Path,
    probes: list[str],
) -> None:
    unanalysed = mediabrowser.library.named("Episode 5 of Show 00")
    local = clips.copy(
        clips.chaptered, tmp_path / "nas" / unanalysed["Path"].removeprefix("/media/")
    )
    _add(station, mediabrowser)
    station.library.map_path("Lib", "/media", str(tmp_path / "nas"))
    station.library.sync("Lib")
    assert probes == [str(local)]
    items = _items(station)
    probed = items["Episode 5 of Show 00"]
    assert probed["probe"]["width"] == 96
    assert abs(probed["duration_ms"] - ffprobe_duration_ms(local)) <= 50
    assert probed["state"] == "discovered"
    # The other one's file is out of reach: recorded as the server has it, flagged for review.
    assert items["Episode 5 of Show 01"]["qc_flags"] == ["no_video", "no_audio"]
    probes.clear()
    station.library.sync("Lib")
    assert probes == []


def test_an_item_deleted_while_the_library_is_paged_costs_no_other_item(
    station: Station, mediabrowser: FakeMediaServer
) -> None:
    """Deleting shifts every later item one place forward, so one would slip between two
    pages unseen and look deleted too; the moved total makes the listing start over."""

    def two_at_a_time(source: Source) -> MediaServer:
        kind = JellyfinClient if source.type == "jellyfin" else EmbyClient
        return kind(str(source.url), str(source.token), page_size=2)

    gone = mediabrowser.library.named("Episode 1 of Show 00")
    mediabrowser.after_request = lambda index: (
        mediabrowser.library.remove(gone["Id"]) if index == 1 else None
    )
    _add(station, mediabrowser)
    report = LibraryService(station.db, server_factory=two_at_a_time).sync("Lib")
    assert (report["seen"], report["added"]) == (13, 13)
    assert "Episode 1 of Show 00" not in _items(station)
    starts = [r.params["StartIndex"] for r in mediabrowser.requests if "StartIndex" in r.params]
    assert starts[:3] == ["0", "2", "0"]  # the second page saw the total move: start over
