"""Paging a media server's listing: every item once, or a sync that fails rather than lose one."""

from __future__ import annotations

import pytest

from retrovue.domain.sources.media_server import every_page
from retrovue.errors import SourceError


class Listing:
    """A server's listing of `items`, two to a page, whose contents a test may change."""

    def __init__(self, items: list[int], say_total: bool = True, pages_ignored: bool = False):
        self.items, self.say_total, self.pages_ignored = items, say_total, pages_ignored
        self.starts: list[int] = []
        self.on_page: dict[int, list[int]] = {}

    def page(self, start: int) -> tuple[list[int], int | None]:
        self.starts.append(start)
        if len(self.starts) in self.on_page:
            self.items = self.on_page[len(self.starts)]
        chunk = self.items if self.pages_ignored else self.items[start : start + 2]
        return chunk, len(self.items) if self.say_total else None


def test_every_page_is_read_once_in_order() -> None:
    listing = Listing(list(range(5)))
    assert every_page(listing.page, 2, "S") == [0, 1, 2, 3, 4]
    assert listing.starts == [0, 2, 4]


def test_a_total_that_moves_between_pages_starts_the_listing_over() -> None:
    listing = Listing([0, 1, 2, 3, 4])
    listing.on_page = {2: [1, 2, 3, 4]}  # 0 deleted after the first page: 2 would slip by
    assert every_page(listing.page, 2, "S") == [1, 2, 3, 4]
    assert listing.starts == [0, 2, 0, 2]


def test_a_listing_that_keeps_moving_fails_the_sync() -> None:
    listing = Listing(list(range(5)))
    listing.on_page = {n: list(range(5 + n)) for n in range(2, 20)}
    with pytest.raises(SourceError, match="S kept changing while it was listed"):
        every_page(listing.page, 2, "S")


def test_a_server_that_stops_short_of_its_own_total_fails_the_sync() -> None:
    def page(start: int) -> tuple[list[int], int | None]:
        return ([0, 1] if start == 0 else []), 5

    with pytest.raises(SourceError, match="S stopped listing at 2 of 5 items"):
        every_page(page, 2, "S")


def test_without_a_total_a_short_page_ends_the_listing() -> None:
    listing = Listing(list(range(5)), say_total=False)
    assert every_page(listing.page, 2, "S") == [0, 1, 2, 3, 4]
    assert listing.starts == [0, 2, 4]


def test_a_server_that_ignores_the_paging_is_read_once() -> None:
    listing = Listing(list(range(5)), say_total=False, pages_ignored=True)
    assert every_page(listing.page, 2, "S") == [0, 1, 2, 3, 4]
    assert listing.starts == [0]
