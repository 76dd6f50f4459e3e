"""Where template blocks sit on the 24-hour clock, and whether they fit a channel's grid."""

from __future__ import annotations

from collections.abc import Iterable

from retrovue.errors import ValidationError
from retrovue.infra.admin_services.parsing import format_clock

DAY_MINUTES = 1440


def arcs(start: int, end: int) -> list[tuple[int, int]]:
    """The minute ranges a block covers; end == start is the whole day."""
    if start == end:
        return [(0, DAY_MINUTES)]
    if start < end:
        return [(start, end)]
    return [(start, DAY_MINUTES), (0, end)]


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return any(max(s1, s2) < min(e1, e2) for s1, e1 in arcs(*a) for s2, e2 in arcs(*b))


def straddles(start: int, end: int, rollover: int) -> bool:
    """Whether the rollover falls strictly inside a block (end <= start crosses midnight).

    The block is unwrapped to [start, end + 1440) when it crosses midnight, so the rollover is
    tried on both days: 22:00-02:00 contains a 00:00 rollover at minute 1440, not at 0.
    """
    stop = end if end > start else end + DAY_MINUTES
    return any(start < point < stop for point in (rollover, rollover + DAY_MINUTES))


def uncovered_minutes(blocks: Iterable[tuple[int, int]]) -> int:
    covered = [False] * DAY_MINUTES
    for start, end in blocks:
        for s, e in arcs(start, end):
            covered[s:e] = [True] * (e - s)
    return covered.count(False)


def check_fits_channel(
    blocks: Iterable[tuple[int, int]], grid: int, offset: int, rollover: int, where: str
) -> None:
    """Every block boundary on the channel's grid; no block straddling its rollover."""
    for start, end in blocks:
        label = f"block {format_clock(start)}-{format_clock(end)}"
        for minute in (start, end):
            if (minute - offset) % grid:
                raise ValidationError(
                    f"{where}: {label} is off the channel's {grid}-minute grid (offset {offset})",
                    "grid",
                )
        if start != end and straddles(start, end, rollover):
            raise ValidationError(
                f"{where}: {label} straddles the channel's rollover {format_clock(rollover)}",
                "rollover",
            )
