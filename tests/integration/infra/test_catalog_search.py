"""The console's catalog search on real SQLite and PostgreSQL: filters, counts and pages."""

from __future__ import annotations

from pathlib import Path

from retrovue.infra.admin_services import AssetAdminService
from retrovue.infra.catalog_search import CatalogQuery, search_catalog
from retrovue.infra.db import Database


def _seed(database: Database, tmp_path: Path) -> list[int]:
    media = tmp_path / "clip.mkv"
    media.write_bytes(b"\0")
    assets = AssetAdminService(database)
    ids = []
    for n in range(12):
        view = assets.add_asset(
            f"Episode {n}" if n != 11 else "100% Pure_Fun",
            60_000,
            str(media),
            tags=["sitcom", f"t{n % 3}"] if n % 4 else ["commercial", "t10"],
            kind="program" if n % 4 else "commercial",
            canonical=n % 2 == 0,
            series="Alpha" if n < 6 else None,
        )
        ids.append(view["id"])
    return ids


def test_filters_combine_and_the_count_is_of_every_match_not_the_page(
    database: Database, tmp_path: Path
) -> None:
    ids = _seed(database, tmp_path)
    page = search_catalog(database, CatalogQuery(kind="program", canonical=True), 0, 2)
    expected = [ids[n] for n in range(12) if n % 4 and n % 2 == 0]
    assert page.total == len(expected)
    assert [r["id"] for r in page.rows] == expected[:2]
    later = search_catalog(database, CatalogQuery(kind="program", canonical=True), 2, 2)
    assert [r["id"] for r in later.rows] == expected[2:4]
    assert page.series == ["Alpha"]


def test_a_tag_matches_whole_tags_only_and_text_matches_title_or_series_literally(
    database: Database, tmp_path: Path
) -> None:
    ids = _seed(database, tmp_path)
    t1 = search_catalog(database, CatalogQuery(tag="T1"), 0, 50)
    assert [r["id"] for r in t1.rows] == [ids[n] for n in range(12) if n % 4 and n % 3 == 1]
    assert all("t10" not in r["tags"] or "t1" in r["tags"] for r in t1.rows)
    assert search_catalog(database, CatalogQuery(text="alpha"), 0, 50).total == 6
    literal = search_catalog(database, CatalogQuery(text="0% pure_"), 0, 50)
    assert [r["title"] for r in literal.rows] == ["100% Pure_Fun"]
    assert search_catalog(database, CatalogQuery(text="e_is"), 0, 50).total == 0
