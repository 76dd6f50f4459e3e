"""The library metadata owns ingest tables only: no scheduling or playout structure."""

from __future__ import annotations

from retrovue.domain.models import LibraryBase

SCHEDULING_WORDS = ("channel", "template", "schedule", "playlog", "asrun", "block", "catalog")


def test_the_library_metadata_holds_no_scheduling_or_playout_table() -> None:
    names = set(LibraryBase.metadata.tables)
    assert names == {
        f"library.library_{t}"
        for t in (
            "source",
            "source_path",
            "path_mapping",
            "media_item",
            "metadata",
            "marker",
            "provider_ref",
            "review_item",
        )
    }
    assert not [n for n in names if any(word in n for word in SCHEDULING_WORDS)]


def test_no_library_foreign_key_leaves_the_library_schema() -> None:
    for table in LibraryBase.metadata.tables.values():
        for key in table.foreign_keys:
            assert key.column.table.schema == "library", key
