"""A Plex source against the local fake server: shows, movies, markers, mapped paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_plex import TOKEN, FakePlex
from library_media import Clips

from retrovue.errors import SourceError
from retrovue.infra.bootstrap import Station


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


def _by_title(station: Station) -> dict[str, dict[str, object]]:
    return {str(v["title"]): v for v in station.library.list_items(source="Plex")}


def test_a_plex_source_ingests_a_show_and_a_movie_with_their_metadata(
    plex_station: Station,
) -> None:
    report = plex_station.library.sync("Plex")
    assert (report["seen"], report["added"]) == (3, 3)
    items = _by_title(plex_station)
    pilot = plex_station.library.get_item(int(str(items["The Pilot"]["id"])))
    assert (pilot["series"], pilot["season"], pilot["episode"]) == ("The Show", 1, 1)
    assert pilot["path"] == "/data/media/TV/The Show/Season 01/The Show - S01E01.mkv"
    assert (pilot["duration_ms"], pilot["content_rating"], pilot["air_date"]) == (
        3041,
        "TV-PG",
        "1986-09-01",
    )
    assert pilot["provider_refs"] == [{"provider": "plex", "key": "102", "updated_at": 1700000100}]
    assert [(m["kind"], m["start_ms"], m["end_ms"]) for m in pilot["markers"]] == [
        ("chapter", 0, 1000),
        ("intro", 0, 800),
        ("chapter", 1000, 3041),
        ("credits", 2600, 3041),
    ]
    movie = plex_station.library.get_item(int(str(items["Big Movie"]["id"])))
    assert (movie["series"], movie["year"], movie["genres"]) == (
        None,
        1986,
        ["Action", "Adventure"],
    )


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


def test_a_resync_fetches_details_only_for_items_plex_updated(
    plex_station: Station, plex: FakePlex
) -> None:
    plex_station.library.sync("Plex")
    plex.requests.clear()
    plex.documents["/library/sections/1/all"] = plex.documents["/library/sections/1/all"].replace(
        'updatedAt="1700000200"', 'updatedAt="1700009999"'
    )
    report = plex_station.library.sync("Plex")
    assert (report["skipped"], report["updated"]) == (2, 1)
    assert [p for p in plex.requests if p.startswith("/library/metadata/2")] == [
        "/library/metadata/200"
    ]
    assert "/library/metadata/102" not in plex.requests


def _touch_in_plex(plex: FakePlex) -> None:
    plex.documents["/library/sections/1/all"] = plex.documents["/library/sections/1/all"].replace(
        'updatedAt="1700000200"', 'updatedAt="1700009999"'
    )


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
    [movie] = plex_station.promotion.promote([int(str(_by_title(plex_station)["Big Movie"]["id"]))])
    plex.remove_video("/library/sections/1/all", "200")
    report = plex_station.library.sync("Plex")
    assert (report["vanished"], report["withdrawn"]) == (1, 1)
    row = plex_station.assets.get_asset(movie["id"])
    assert (row["available"], row["canonical"]) == (False, False)


def test_a_wrong_token_fails_the_sync_and_writes_nothing(station: Station, plex: FakePlex) -> None:
    station.library.add_source("Plex", "plex", url=plex.url, token="wrong")
    with pytest.raises(SourceError, match="refused the token"):
        station.library.sync("Plex")
    assert station.library.list_items() == []


def test_an_unknown_library_name_is_refused(station: Station, plex: FakePlex) -> None:
    station.library.add_source("Plex", "plex", url=plex.url, token=TOKEN, libraries=["Cartoons"])
    with pytest.raises(SourceError, match="Cartoons"):
        station.library.sync("Plex")
