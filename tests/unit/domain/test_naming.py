"""File and folder names people actually keep, read into editorial guesses."""

from __future__ import annotations

from pathlib import PurePath

from retrovue.domain.naming import guess, season_from_folder


def test_show_season_folder_and_dashed_episode_title_are_read() -> None:
    found = guess(PurePath("/tv/Cheers/Season 01/Cheers - S01E02 - Sams Women.mkv"))
    assert (found.series, found.season, found.episode, found.title) == (
        "Cheers",
        1,
        2,
        "Sams Women",
    )


def test_a_scene_name_gives_the_series_and_drops_release_noise() -> None:
    found = guess(PurePath("/tv/Night Court/Night.Court.S03E11.720p.HDTV.x264.mkv"))
    assert (found.series, found.season, found.episode, found.title) == ("Night Court", 3, 11, None)


def test_an_episode_named_only_by_number_takes_the_series_from_its_folders() -> None:
    found = guess(PurePath("/tv/Taxi/Season 2/S02E07.mkv"))
    assert (found.series, found.season, found.episode) == ("Taxi", 2, 7)


def test_the_1x02_spelling_is_understood() -> None:
    found = guess(PurePath("/tv/Alf/Alf 1x02 Looking for Lucky.avi"))
    assert (found.series, found.season, found.episode) == ("Alf", 1, 2)


def test_a_movie_folder_gives_title_and_year() -> None:
    found = guess(PurePath("/movies/Top Gun (1986)/Top Gun (1986).mkv"))
    assert (found.title, found.year, found.series) == ("Top Gun", 1986, None)


def test_anything_else_is_titled_by_its_tidied_file_name() -> None:
    assert guess(PurePath("/ads/cola_summer.spot.mp4")).title == "cola summer spot"


def test_season_folders_come_in_several_spellings() -> None:
    assert [season_from_folder(n) for n in ("Season 01", "season.3", "S04", "Specials")] == [
        1,
        3,
        4,
        None,
    ]
