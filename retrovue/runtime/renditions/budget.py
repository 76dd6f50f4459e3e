"""The renditions' disk budget: what goes first when they take more room than allowed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Final

from retrovue.schedule_manager.renditions import RenditionRecord

UNITS: Final = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from `50G`, `500M`, `1.5T`, `1048576` (binary units); ValueError otherwise."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"not a size: {text!r} (say 50G, 500M or a number of bytes)")
    size = int(float(match.group(1)) * UNITS[match.group(2).upper()])
    if size <= 0:
        raise ValueError(f"a size must be more than 0, not {text!r}")
    return size


def eviction_order(
    records: Sequence[RenditionRecord], next_airings: Mapping[int, dt.datetime]
) -> list[RenditionRecord]:
    """Ready renditions in the order they give up their room.

    First those whose asset does not air again, the one aired (or made) longest ago first;
    then those that do, the one airing farthest ahead first. What airs soonest goes last.
    """

    def rank(record: RenditionRecord) -> tuple[int, float]:
        upcoming = next_airings.get(record.asset_id)
        if upcoming is None:
            return (0, (record.last_aired_at or record.made_at).timestamp())
        return (1, -upcoming.timestamp())

    return sorted((r for r in records if r.state == "ready"), key=rank)


def over_budget(
    records: Sequence[RenditionRecord], next_airings: Mapping[int, dt.datetime], budget: int
) -> list[RenditionRecord]:
    """The renditions to remove so that those left fit in `budget` bytes."""
    held = sum(r.size_bytes for r in records if r.state == "ready")
    going: list[RenditionRecord] = []
    for record in eviction_order(records, next_airings):
        if held <= budget:
            break
        going.append(record)
        held -= record.size_bytes
    return going
