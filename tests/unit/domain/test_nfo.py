"""Kodi / tinyMediaManager sidecars: what each kind says, and which wins."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from retrovue.domain.editorial import Editorial, clean_rating
from retrovue.domain.naming import guess
from retrovue.domain.nfo import SidecarReader, read_nfo


def test_an_episode_nfo_gives_title_plot_air_date_season_and_episode(tmp_path: Path) -> None:
    nfo = tmp_path / "ep.nfo"
    nfo.write_text(
        "<episodedetails><title>Pilot</title><showtitle>Show</showtitle><season>2</season>"
        "<episode>5</episode><plot>It begins.</plot><aired>1990-01-02</aired></episodedetails>"
    )
    kind, found = read_nfo(nfo) or ("", Editorial())
    assert kind == "episodedetails"
    assert (found.title, found.series, found.season, found.episode) == ("Pilot", "Show", 2, 5)
    assert (found.plot, found.air_date, found.year) == ("It begins.", dt.date(1990, 1, 2), 1990)


def test_a_movie_nfo_followed_by_a_scraper_url_still_parses(tmp_path: Path) -> None:
    nfo = tmp_path / "movie.nfo"
    nfo.write_text(
        "<movie><title>Film</title><genre>Action / Comedy</genre><mpaa>Rated R</mpaa>"
        "<premiered>1984-05-01</premiered></movie>\nhttps://www.imdb.com/title/tt0000001/\n"
    )
    _, found = read_nfo(nfo) or ("", Editorial())
    assert (found.title, found.genres, found.content_rating) == ("Film", ("Action", "Comedy"), "R")
    assert found.air_date == dt.date(1984, 5, 1)


def test_a_url_only_or_broken_nfo_is_ignored(tmp_path: Path) -> None:
    url_only = tmp_path / "a.nfo"
    url_only.write_text("https://thetvdb.com/series/1\n")
    broken = tmp_path / "b.nfo"
    broken.write_text("<movie><title>oops</movie>")
    assert read_nfo(url_only) is None
    assert read_nfo(broken) is None


def test_ratings_are_normalised_for_the_guide() -> None:
    assert [clean_rating(r) for r in ("US:TV-14", "Rated PG-13", " tv-pg ", "", None)] == [
        "TV-14",
        "PG-13",
        "TV-PG",
        None,
        None,
    ]


def test_the_episode_nfo_beats_the_show_nfo_which_beats_the_file_name(tmp_path: Path) -> None:
    season = tmp_path / "Show Folder" / "Season 01"
    season.mkdir(parents=True)
    (tmp_path / "Show Folder" / "tvshow.nfo").write_text(
        "<tvshow><title>The Real Show</title><genre>Drama</genre><mpaa>TV-14</mpaa>"
        "<plot>About the show.</plot></tvshow>"
    )
    video = season / "Show Folder - S01E03 - file title.mkv"
    (season / "Show Folder - S01E03 - file title.nfo").write_text(
        "<episodedetails><title>Nfo Title</title></episodedetails>"
    )
    known = frozenset(str(p) for p in tmp_path.rglob("*.nfo"))
    found = SidecarReader(known).editorial(video, guess(video))
    assert (found.title, found.series, found.season, found.episode) == (
        "Nfo Title",
        "The Real Show",
        1,
        3,
    )
    assert (found.genres, found.content_rating, found.plot) == (("Drama",), "TV-14", None)
