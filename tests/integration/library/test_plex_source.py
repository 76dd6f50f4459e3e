"""A Plex source against the fake server: shows, movies, markers, parts, versions, batches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fake_plex import TOKEN, FakePlex
from library_media import Clips
from plex_library import Media, Part, Video

from retrovue.domain.models import Source
from retrovue.domain.sources.plex import PlexClient
from retrovue.errors import SourceError
from retrovue.infra.bootstrap import Station
from retrovue.infra.library_services import LibraryService


@pytest.fixture
def plex_station(station: Station, plex: FakePlex, tmp_path: Path, clips: Clips) -> Station:
    local = tmp_path / "nas"
    clips.copy(clips.chaptered, local / "TV/The Show/Season 01/The Show - S01E01.mkv")
    clips.copy(clips.plain, local / "TV/The Show/Season 01/The Show - S01E02.mkv")
    clips.copy(clips.chaptered, local / "Movies/Big Movie (1986)/Big Movie (1986).mkv")
    station.library.add_source("Plex", "plex", url=plex.url, token=TOKEN)
    station.library.map_path("Plex", "/data", "/elsewhere")
    station.library.map_path("Plex", "/data/media", str(local))
    return station


def _by_title(station: Station) -> dict[str, dict[str, Any]]:
    return {str(v["title"]): v for v in station.library.list_items(source="Plex")}


def _small_pages(station: Station) -> LibraryService:
    """The same station, with a client that pages two items at a time and batches two ids."""

    def connect(source: Source) -> PlexClient:
        return PlexClient(str(source.url), str(source.token), page_size=2, batch_size=2)

    return LibraryService(station.db, server_factory=connect)


def test_a_plex_source_ingests_a_show_and_a_movie_with_their_metadata(
    plex_station: Station,
) -> None:
    report = plex_station.library.sync("Plex")
    assert (report["seen"], report["added"]) == (3, 3)
    items = _by_title(plex_station)
    pilot = plex_station.library.get_item(items["The Pilot"]["id"])
    assert (pilot["series"], pilot["season"], pilot["episode"]) == ("The Show", 1, 1)
    assert pilot["path"] == "/data/media/TV/The Show/Season 01/The Show - S01E01.mkv"
    assert (pilot["duration_ms"], pilot["content_rating"], pilot["air_date"]) == (
        3041,
        "TV-PG",
        "1986-09-01",
    )
    assert pilot["provider_refs"] == [
        {"provider": "plex", "key": "102", "updated_at": 1700000100, "version": "1700000100"},
        {"provider": "tvdb", "key": "5000101", "updated_at": None, "version": None},
    ]
    assert [(m["kind"], m["start_ms"], m["end_ms"]) for m in pilot["markers"]] == [
        ("chapter", 0, 1000),
        ("intro", 0, 800),
        ("chapter", 1000, 3041),
        ("credits", 2600, 3041),
    ]
    movie = plex_station.library.get_item(items["Big Movie"]["id"])
    assert (movie["series"], movie["year"], movie["genres"]) == (
        None,
        1986,
        ["Action", "Adventure"],
    )
    assert {r["provider"]: r["key"] for r in movie["provider_refs"]} == {
        "plex": "200",
        "imdb": "tt0088512",
        "tmdb": "9340",
    }


def test_promoting_plex_items_writes_the_locally_mapped_paths(
    plex_station: Station, tmp_path: Path
) -> None:
    plex_station.library.sync("Plex")
    assets = {a["title"]: a for a in plex_station.promotion.promote(source="Plex")}
    assert assets["Big Movie"]["file_path"] == str(
        tmp_path / "nas/Movies/Big Movie (1986)/Big Movie (1986).mkv"
    )
    assert assets["Big Movie"]["tags"] == ["action", "adventure"]
    assert assets["The Show"]["file_path"].startswith(str(tmp_path / "nas/TV/The Show"))


def test_an_unchanged_resync_reads_no_item_metadata(plex_station: Station, plex: FakePlex) -> None:
    plex_station.library.sync("Plex")
    plex.requests.clear()
    report = plex_station.library.sync("Plex")
    assert (report["skipped"], report["probed"], report["updated"]) == (3, 0, 0)
    assert plex.metadata_requests() == []


def test_a_resync_reads_metadata_only_for_items_plex_updated(
    plex_station: Station, plex: FakePlex
) -> None:
    plex_station.library.sync("Plex")
    plex.requests.clear()
    plex.library.videos["200"].updated_at = 1700009999
    report = plex_station.library.sync("Plex")
    assert (report["skipped"], report["updated"]) == (2, 1)
    assert plex.metadata_requests() == ["/library/metadata/200"]


def test_listings_are_paged_and_metadata_is_read_several_items_to_a_request(
    plex_station: Station, plex: FakePlex
) -> None:
    for n in range(3, 6):
        plex.library.videos[f"10{n + 1}"] = Video(
            f"10{n + 1}",
            "2",
            "episode",
            f"Episode {n}",
            1700000100,
            [Media(n, [Part(n, f"/data/media/TV/The Show/Season 01/E{n}.mkv", 9, 2000)])],
            {
                "grandparentTitle": "The Show",
                "grandparentRatingKey": "100",
                "parentIndex": "1",
                "index": str(n),
            },
        )
    report = _small_pages(plex_station).sync("Plex")
    assert (report["seen"], report["added"]) == (6, 6)
    starts = [
        r.params["X-Plex-Container-Start"]
        for r in plex.requests
        if r.path == "/library/sections/2/all"
    ]
    assert starts == ["0", "2", "4"]
    # Every new item's metadata, two ids to a request, then the one show they belong to.
    assert plex.metadata_requests() == [
        "/library/metadata/200,102",
        "/library/metadata/103,104",
        "/library/metadata/105,106",
        "/library/metadata/100",
    ]


def _touch_in_plex(plex: FakePlex) -> None:
    """Plex saw the movie change (its updatedAt moved), as after a metadata refresh."""
    movie = plex.library.videos["200"]
    movie.updated_at += 9999


def test_a_plex_update_that_leaves_the_approved_file_as_it_was_keeps_it_on_air(
    plex_station: Station, plex: FakePlex
) -> None:
    plex_station.library.sync("Plex")
    movie_id = int(str(_by_title(plex_station)["Big Movie"]["id"]))
    [movie] = plex_station.promotion.promote([movie_id])
    _touch_in_plex(plex)
    assert plex_station.library.sync("Plex")["refreshed"] == 1
    assert plex_station.assets.get_asset(movie["id"])["canonical"] is True
    assert plex_station.library.get_item(movie_id)["state"] == "promoted"


def test_a_plex_file_replaced_under_its_catalog_row_goes_off_air_and_back_to_review(
    plex_station: Station, plex: FakePlex, tmp_path: Path, clips: Clips
) -> None:
    plex_station.library.sync("Plex")
    movie_id = int(str(_by_title(plex_station)["Big Movie"]["id"]))
    [movie] = plex_station.promotion.promote([movie_id])
    clips.copy(clips.plain, tmp_path / "nas/Movies/Big Movie (1986)/Big Movie (1986).mkv")
    _touch_in_plex(plex)
    plex_station.library.sync("Plex")
    assert plex_station.assets.get_asset(movie["id"])["canonical"] is False
    assert plex_station.library.get_item(movie_id)["state"] == "needs_review"


def test_an_item_deleted_from_plex_withdraws_its_catalog_row(
    plex_station: Station, plex: FakePlex
) -> None:
    plex_station.library.sync("Plex")
    [movie] = plex_station.promotion.promote([_by_title(plex_station)["Big Movie"]["id"]])
    del plex.library.videos["200"]
    report = plex_station.library.sync("Plex")
    assert (report["vanished"], report["withdrawn"]) == (1, 1)
    row = plex_station.assets.get_asset(movie["id"])
    assert (row["available"], row["canonical"]) == (False, False)


def test_a_multi_part_episode_becomes_one_item_per_part_with_markers_on_its_own_clock(
    plex_station: Station, plex: FakePlex
) -> None:
    tv = "/data/media/TV/The Show/Season 01"
    plex.library.videos["104"] = Video(
        "104",
        "2",
        "episode",
        "The Two-Parter",
        1700000300,
        [
            Media(
                40,
                [
                    Part(41, f"{tv}/S01E03 - cd1.mkv", 1, 120_000),
                    Part(42, f"{tv}/S01E03 - cd2.mkv", 1, 100_000),
                ],
            )
        ],
        {
            "grandparentTitle": "The Show",
            "grandparentRatingKey": "100",
            "parentIndex": "1",
            "index": "3",
        },
        chapters=[
            (0, 50_000, "Part one"),
            (50_000, 150_000, "Middle"),
            (150_000, 220_000, "Part two"),
        ],
        markers=[("credits", 200_000, 220_000)],
    )
    plex_station.library.sync("Plex")
    first, second = (
        plex_station.library.get_item(
            _by_title(plex_station)[f"The Two-Parter (part {n} of 2)"]["id"]
        )
        for n in (1, 2)
    )
    assert (first["path"], first["duration_ms"]) == (f"{tv}/S01E03 - cd1.mkv", 120_000)
    assert (second["path"], second["duration_ms"]) == (f"{tv}/S01E03 - cd2.mkv", 100_000)
    assert [(m["kind"], m["start_ms"], m["end_ms"]) for m in first["markers"]] == [
        ("chapter", 0, 50_000),
        ("break", 50_000, None),
        ("chapter", 50_000, 120_000),
    ]
    # The chapter that starts in part two, and the credits, counted from part two's start.
    assert [(m["kind"], m["start_ms"], m["end_ms"]) for m in second["markers"]] == [
        ("chapter", 30_000, 100_000),
        ("credits", 80_000, 100_000),
    ]
    assert [r["key"] for r in first["provider_refs"]] == ["104:1"]
    assert (first["episode"], second["episode"]) == (3, 3)


@pytest.mark.parametrize(
    ("versions", "chosen"),
    [
        # (height, video codec, bitrate kbit/s) of each version, and the one to air
        ([(1080, "hevc", 8000), (720, "h264", 2000), (720, "h264", 4000), (480, "h264", 900)], 2),
        ([(1080, "h264", 8000), (2160, "h264", 20000), (480, "h264", 900)], 0),
        ([(720, "hevc", 3000), (720, "h264", 1000)], 1),
        ([(360, "h264", 500), (480, "mpeg2video", 6000), (240, "h264", 300)], 1),
    ],
)
def test_of_several_versions_the_nearest_at_or_above_720p_then_h264_then_bitrate_airs(
    plex_station: Station, plex: FakePlex, versions: list[tuple[int, str, int]], chosen: int
) -> None:
    plex.library.videos["200"].media = [
        Media(
            90 + n,
            [Part(90 + n, f"/data/media/Movies/Big Movie {n}.mkv", 1, 3041)],
            width=height * 16 // 9,
            height=height,
            video_codec=codec,
            bitrate=rate,
        )
        for n, (height, codec, rate) in enumerate(versions)
    ]
    plex_station.library.sync("Plex")
    movie = plex_station.library.get_item(_by_title(plex_station)["Big Movie"]["id"])
    assert movie["path"] == f"/data/media/Movies/Big Movie {chosen}.mkv"


def test_a_wrong_token_fails_the_sync_and_writes_nothing(station: Station, plex: FakePlex) -> None:
    station.library.add_source("Plex", "plex", url=plex.url, token="wrong")
    with pytest.raises(SourceError, match=r"refused the token \(401\)"):
        station.library.sync("Plex")
    assert station.library.list_items() == []


def test_an_unknown_library_name_is_refused_naming_the_libraries_there_are(
    station: Station, plex: FakePlex
) -> None:
    station.library.add_source("Plex", "plex", url=plex.url, token=TOKEN, libraries=["Cartoons"])
    with pytest.raises(SourceError, match=r"'Cartoons' \(its video libraries: Movies, TV Shows\)"):
        station.library.sync("Plex")
