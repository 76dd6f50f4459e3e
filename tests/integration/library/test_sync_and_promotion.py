"""Sync, review, promotion and invalidation on a real library, on SQLite and PostgreSQL."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from library_media import Clips, ffprobe_duration_ms

from retrovue.errors import NotFoundError, PromotionError, ValidationError
from retrovue.fingerprint import fingerprint
from retrovue.infra.bootstrap import Station


def _items(station: Station, **filters: Any) -> dict[str, dict[str, Any]]:
    return {Path(v["path"]).name: v for v in station.library.list_items(**filters)}


@pytest.fixture
def synced(station: Station, library: dict[str, Path]) -> Station:
    station.library.add_source("TV", "filesystem", [str(library["tv"])])
    station.library.add_source(
        "Ads", "filesystem", [str(library["ads"])], kind="commercial", tags=["commercial"]
    )
    station.library.sync("TV")
    station.library.sync("Ads")
    return station


def test_sync_reads_nfo_sidecars_and_falls_back_to_file_names(synced: Station) -> None:
    items = _items(synced, source="TV")
    pilot = synced.library.get_item(items["The Show - S01E01 - Pilot.mkv"]["id"])
    assert (pilot["series"], pilot["season"], pilot["episode"]) == ("The Show", 1, 1)
    assert pilot["title"] == "The Pilot"
    assert pilot["plot"] == "Everyone moves in."
    assert pilot["air_date"] == "1986-09-01"
    assert pilot["genres"] == ["Comedy", "Sitcom"]
    assert pilot["content_rating"] == "TV-PG"
    second = items["The Show - S01E02 - The Second One.mkv"]
    assert (second["series"], second["episode"], second["title"]) == (
        "The Show",
        2,
        "The Second One",
    )
    scene = items["Other.Show.S02E05.720p.mkv"]
    assert (scene["series"], scene["season"], scene["episode"]) == ("Other Show", 2, 5)
    movie = synced.library.get_item(items["Big Movie (1986).mkv"]["id"])
    assert (movie["title"], movie["year"], movie["series"]) == ("Big Movie", 1986, None)
    assert movie["content_rating"] == "PG-13"
    assert movie["genres"] == ["Action", "Adventure"]


def test_unreadable_files_become_review_items_carrying_their_errors(synced: Station) -> None:
    items = _items(synced, source="TV")
    for name, expected in (("Zero.mkv", "Invalid data"), ("Truncated.mkv", "truncated")):
        item = synced.library.get_item(items[name]["id"])
        assert item["state"] == "needs_review"
        assert item["qc_flags"] == ["unreadable"]
        assert expected in item["error"]
        assert [r["status"] for r in item["reviews"]] == ["open"]
        assert expected in item["reviews"][0]["reason"]
    assert items["The Show - S01E01 - Pilot.mkv"]["state"] == "discovered"


def test_a_resync_of_an_unchanged_library_probes_nothing(synced: Station) -> None:
    report = synced.library.sync("TV")
    assert (report["seen"], report["skipped"], report["probed"], report["failed"]) == (6, 6, 0, 0)


def test_approved_items_promote_with_titles_durations_and_chapter_markers(
    synced: Station, library: dict[str, Path]
) -> None:
    items = _items(synced, source="TV")
    pilot_id = items["The Show - S01E01 - Pilot.mkv"]["id"]
    synced.library.review_item(pilot_id, approve=True, notes="looks right")
    [asset] = synced.promotion.promote(source="TV", approved_only=True)
    assert (asset["title"], asset["episode_title"]) == ("The Show", "The Pilot")
    assert (asset["series"], asset["season"], asset["episode"]) == ("The Show", 1, 1)
    assert abs(asset["duration_ms"] - ffprobe_duration_ms(library["pilot"])) <= 50
    assert asset["file_path"] == str(library["pilot"])
    assert asset["tags"] == ["comedy", "sitcom"]
    assert asset["rating"] == "TV-PG"
    assert (asset["canonical"], asset["available"]) == (True, True)
    assert asset["source_ingest_asset_id"] == pilot_id
    assert [(m["kind"], m["start_ms"], m["title"]) for m in asset["markers"]] == [
        ("chapter", 0, "Cold open"),
        ("chapter", 1000, "Act 1"),
    ]
    assert synced.library.get_item(pilot_id)["state"] == "promoted"


def test_promoting_twice_updates_the_catalog_row_instead_of_duplicating_it(
    synced: Station,
) -> None:
    spot_id = _items(synced, source="Ads")["Cola.mp4"]["id"]
    first = synced.promotion.promote([spot_id], tags=["cola"])
    second = synced.promotion.promote([spot_id], canonical=False, title="Cola 30")
    assert first[0]["id"] == second[0]["id"]
    assert (second[0]["title"], second[0]["canonical"]) == ("Cola 30", False)
    assert second[0]["kind"] == "commercial"
    assert len(synced.assets.list_assets()) == 1


def test_promotion_fails_naming_the_path_when_the_mapped_file_does_not_exist(
    synced: Station, library: dict[str, Path]
) -> None:
    synced.library.map_path("Ads", str(library["ads"]), "/mnt/nowhere/ads")
    spot_id = _items(synced, source="Ads")["Cola.mp4"]["id"]
    with pytest.raises(PromotionError, match=r"/mnt/nowhere/ads/Cola\.mp4 does not exist"):
        synced.promotion.promote([spot_id])
    assert synced.assets.list_assets() == []


def test_an_item_that_failed_qc_cannot_be_promoted_canonical(synced: Station) -> None:
    ads = _items(synced, source="Ads")
    silent_id = ads["Silent Spot.mkv"]["id"]
    assert ads["Silent Spot.mkv"]["qc_flags"] == ["no_audio"]
    with pytest.raises(PromotionError, match="failed QC"):
        synced.promotion.promote([silent_id])
    [staged] = synced.promotion.promote([silent_id], canonical=False)
    assert staged["canonical"] is False
    zero_id = _items(synced, source="TV")["Zero.mkv"]["id"]
    with pytest.raises(ValidationError, match="cannot be approved"):
        synced.library.review_item(zero_id, approve=True, notes=None)


def test_a_bulk_promotion_skips_flagged_and_rejected_items(synced: Station) -> None:
    tv = _items(synced, source="TV")
    synced.library.review_item(tv["Other.Show.S02E05.720p.mkv"]["id"], approve=False, notes="no")
    assets = synced.promotion.promote(source="TV")
    titles = sorted(a["episode_title"] or a["title"] for a in assets)
    assert titles == ["Big Movie", "The Pilot", "The Second One"]
    with pytest.raises(NotFoundError):
        synced.promotion.promote(source="Nope")


def test_a_deleted_file_withdraws_its_catalog_row_and_a_returned_one_stays_off_air(
    synced: Station, library: dict[str, Path], tmp_path: Path
) -> None:
    spot_id = _items(synced, source="Ads")["Cola.mp4"]["id"]
    [asset] = synced.promotion.promote([spot_id])
    kept = shutil.move(library["spot"], tmp_path / "kept.mp4")
    report = synced.library.sync("Ads")
    assert (report["vanished_ids"], report["withdrawn"]) == ([spot_id], 1)
    row = synced.assets.get_asset(asset["id"])
    assert (row["available"], row["canonical"]) == (False, False)
    assert _items(synced, source="Ads").get("Cola.mp4") is None
    with pytest.raises(PromotionError, match="gone"):
        synced.promotion.promote([spot_id])
    shutil.move(kept, library["spot"])
    report = synced.library.sync("Ads")
    assert (report["returned_ids"], report["restored"]) == ([spot_id], 1)
    row = synced.assets.get_asset(asset["id"])
    assert (row["available"], row["canonical"]) == (True, False)
    [again] = synced.promotion.promote([spot_id])
    assert (again["id"], again["available"], again["canonical"]) == (asset["id"], True, False)
    [cleared] = synced.promotion.promote([spot_id], canonical=True)
    assert (cleared["id"], cleared["available"], cleared["canonical"]) == (asset["id"], True, True)


def test_a_dry_run_sync_writes_nothing(station: Station, library: dict[str, Path]) -> None:
    station.library.add_source("TV", "filesystem", [str(library["tv"])])
    report = station.library.sync("TV", dry_run=True)
    assert report["dry_run"] is True and report["added"] == 6
    assert station.library.list_items() == []


def test_a_missing_root_is_reported_and_does_not_delete_its_items(
    synced: Station, library: dict[str, Path], tmp_path: Path
) -> None:
    moved = shutil.move(library["ads"], tmp_path / "unmounted")
    report = synced.library.sync("Ads")
    assert report["missing_roots"] == [str(library["ads"])]
    assert report["vanished"] == 0
    shutil.move(moved, library["ads"])


def test_sources_keep_their_kind_tags_and_longest_prefix_mappings(synced: Station) -> None:
    synced.library.map_path("TV", "/data", "/mnt/a")
    view = synced.library.map_path("TV", "/data/tv", "/mnt/b")
    assert view["mappings"] == [
        {"from": "/data", "to": "/mnt/a"},
        {"from": "/data/tv", "to": "/mnt/b"},
    ]
    ads = synced.library.get_source("Ads")
    assert (ads["kind"], ads["tags"], ads["items"]) == ("commercial", ["commercial"], 2)
    synced.library.remove_source("Ads")
    assert [s["name"] for s in synced.library.list_sources()] == ["TV"]


def _refuse(monkeypatch: pytest.MonkeyPatch, call: str, path: Path, code: int) -> None:
    """Make `os.<call>(path)` fail as chmod 000 (EACCES) or a sick NFS mount (EIO) would; the
    tests run as root, where chmod does not stop a read."""
    real = getattr(os, call)

    def refusing(target: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(target) == str(path):
            raise OSError(code, os.strerror(code), str(path))
        return real(target, *args, **kwargs)

    monkeypatch.setattr(os, call, refusing)


def test_an_unreadable_folder_is_reported_and_its_promoted_items_stay_on_air(
    synced: Station, library: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    pilot_id = _items(synced, source="TV")["The Show - S01E01 - Pilot.mkv"]["id"]
    [asset] = synced.promotion.promote([pilot_id])
    show = library["pilot"].parents[1]
    _refuse(monkeypatch, "scandir", show, errno.EACCES)
    report = synced.library.sync("TV")
    assert report["unreadable"] == [str(show)]
    assert (report["vanished"], report["withdrawn"]) == (0, 0)
    row = synced.assets.get_asset(asset["id"])
    assert (row["available"], row["canonical"]) == (True, True)
    assert "The Show - S01E01 - Pilot.mkv" in _items(synced, source="TV")


def test_a_file_whose_stat_fails_is_reported_and_not_taken_for_deleted(
    synced: Station, library: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    spot_id = _items(synced, source="Ads")["Cola.mp4"]["id"]
    [asset] = synced.promotion.promote([spot_id])
    _refuse(monkeypatch, "stat", library["spot"], errno.EIO)
    report = synced.library.sync("Ads")
    assert report["unreadable"] == [str(library["spot"])]
    assert (report["vanished"], report["withdrawn"]) == (0, 0)
    assert synced.assets.get_asset(asset["id"])["canonical"] is True


def test_a_symlink_loop_in_a_source_adds_no_duplicate_items(
    station: Station, library: dict[str, Path]
) -> None:
    (library["pilot"].parent / "loop").symlink_to("..")
    station.library.add_source("TV", "filesystem", [str(library["tv"])])
    report = station.library.sync("TV")
    assert (report["seen"], report["added"]) == (6, 6)
    paths = [i["path"] for i in station.library.list_items(source="TV")]
    assert sorted(paths) == sorted(set(paths)) and len(paths) == 6


def test_a_changed_promoted_file_goes_off_air_with_its_new_length_and_back_to_review(
    synced: Station, library: dict[str, Path], clips: Clips
) -> None:
    pilot_id = _items(synced, source="TV")["The Show - S01E01 - Pilot.mkv"]["id"]
    [asset] = synced.promotion.promote([pilot_id])
    assert asset["markers"] and asset["canonical"]
    assert asset["fingerprint"] == fingerprint(library["pilot"])
    clips.copy(clips.plain, library["pilot"])
    report = synced.library.sync("TV")
    assert (report["changed_ids"], report["refreshed"]) == ([pilot_id], 1)
    row = synced.assets.get_asset(asset["id"])
    assert abs(row["duration_ms"] - ffprobe_duration_ms(library["pilot"])) <= 50
    assert abs(row["duration_ms"] - asset["duration_ms"]) > 500
    assert [m for m in row["markers"] if m["kind"] == "chapter"] == []
    assert (row["canonical"], row["available"]) == (False, True)
    item = synced.library.get_item(pilot_id)
    assert item["state"] == "needs_review"
    [review] = [r for r in item["reviews"] if r["status"] == "open"]
    assert "file changed since it was approved" in review["reason"]
    synced.library.review_item(pilot_id, approve=True, notes="new cut is fine")
    assert row["fingerprint"] == asset["fingerprint"] != fingerprint(library["pilot"])
    [again] = synced.promotion.promote([pilot_id], canonical=True)
    assert (again["canonical"], again["duration_ms"]) == (True, row["duration_ms"])
    assert again["fingerprint"] == fingerprint(library["pilot"])
    library["pilot"].write_bytes(b"not a video any more")
    synced.library.sync("TV")
    broken = synced.assets.get_asset(asset["id"])
    assert (broken["canonical"], broken["duration_ms"]) == (False, row["duration_ms"])
    assert synced.library.get_item(pilot_id)["state"] == "needs_review"


def test_a_file_replaced_between_syncs_cannot_be_approved_until_synced_again(
    synced: Station, library: dict[str, Path], clips: Clips
) -> None:
    pilot_id = _items(synced, source="TV")["The Show - S01E01 - Pilot.mkv"]["id"]
    [asset] = synced.promotion.promote([pilot_id])
    synced.assets.update_asset(asset["id"], canonical=False)
    clips.copy(clips.plain, library["pilot"])
    before = synced.assets.get_asset(asset["id"])
    with pytest.raises(ValidationError, match="changed since its source was last synced"):
        synced.assets.update_asset(asset["id"], canonical=True)
    with pytest.raises(ValidationError, match="changed since its source was last synced"):
        synced.promotion.promote([pilot_id], canonical=True)
    assert synced.assets.get_asset(asset["id"]) == before
    synced.library.sync("TV")
    synced.library.review_item(pilot_id, approve=True, notes=None)
    cleared = synced.assets.update_asset(asset["id"], canonical=True)
    assert cleared["canonical"] is True
    assert cleared["fingerprint"] == fingerprint(library["pilot"]) != before["fingerprint"]
    assert abs(cleared["duration_ms"] - ffprobe_duration_ms(library["pilot"])) <= 50


def test_a_bulk_promotion_leaves_rows_already_promoted_as_the_operator_edited_them(
    synced: Station, library: dict[str, Path], clips: Clips
) -> None:
    first = {a["source_ingest_asset_id"]: a for a in synced.promotion.promote(source="TV")}
    pilot_id = _items(synced, source="TV")["The Show - S01E01 - Pilot.mkv"]["id"]
    edited = synced.assets.update_asset(
        first[pilot_id]["id"], canonical=False, title="Pilot (edited)", tags=["retagged"]
    )
    clips.copy(clips.plain, library["pilot"].with_name("The Show - S01E03 - Third.mkv"))
    synced.library.sync("TV")
    third_id = _items(synced, source="TV")["The Show - S01E03 - Third.mkv"]["id"]
    again = synced.promotion.promote(source="TV")
    assert [a["source_ingest_asset_id"] for a in again] == [third_id]
    assert synced.assets.get_asset(edited["id"]) == edited
    assert synced.promotion.promote(source="TV") == []


def test_naming_a_promoted_item_refreshes_its_technical_fields_and_applies_the_flags_given(
    synced: Station, library: dict[str, Path]
) -> None:
    pilot_id = _items(synced, source="TV")["The Show - S01E01 - Pilot.mkv"]["id"]
    [asset] = synced.promotion.promote([pilot_id])
    synced.assets.update_asset(
        asset["id"], canonical=False, title="Pilot (edited)", tags=["retagged"], duration_ms=1
    )
    [again] = synced.promotion.promote([pilot_id], tags=["Premiere"])
    assert again["id"] == asset["id"]
    assert (again["title"], again["tags"]) == ("Pilot (edited)", ["retagged", "premiere"])
    assert (again["duration_ms"], again["markers"]) == (asset["duration_ms"], asset["markers"])
    # No flag: the operator's withdrawal stands.
    assert (again["canonical"], again["file_path"]) == (False, str(library["pilot"]))
    [cleared] = synced.promotion.promote([pilot_id], canonical=True)
    assert cleared["canonical"] is True
    [kept] = synced.promotion.promote([pilot_id], kind="promo")
    assert (kept["canonical"], kept["kind"]) == (True, "promo")
    [staged] = synced.promotion.promote([pilot_id], canonical=False)
    assert (staged["canonical"], staged["kind"], staged["title"]) == (
        False,
        "promo",
        "Pilot (edited)",
    )
