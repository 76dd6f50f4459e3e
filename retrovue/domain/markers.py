"""Markers of an item: chapters, intro and credits, and the ad-break candidates they imply."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from retrovue.domain.models import MarkerKind
from retrovue.domain.probe import Chapter

# A chapter boundary this close to either end is an opening or closing, not a break point.
BREAK_MARGIN_MS: Final = 30_000


@dataclass(frozen=True)
class MarkerSpec:
    kind: MarkerKind
    start_ms: int
    end_ms: int | None = None
    title: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The catalog's marker shape, which the scheduler reads."""
        return {
            "kind": self.kind,
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "title": self.title,
        }


def from_chapters(
    chapters: Sequence[Chapter], duration_ms: int | None, margin_ms: int = BREAK_MARGIN_MS
) -> list[MarkerSpec]:
    """Every chapter, plus a break candidate at each inner boundary away from both ends."""
    markers = [MarkerSpec("chapter", c.start_ms, c.end_ms, c.title) for c in chapters]
    return markers + break_candidates((c.start_ms for c in chapters), duration_ms, margin_ms)


def break_candidates(
    boundaries: Iterable[int], duration_ms: int | None, margin_ms: int = BREAK_MARGIN_MS
) -> list[MarkerSpec]:
    if not duration_ms:
        return []
    points = sorted(
        {b for b in boundaries if margin_ms < b < duration_ms - margin_ms},
    )
    return [MarkerSpec("break", point) for point in points]


def ordered(markers: Iterable[MarkerSpec]) -> list[MarkerSpec]:
    return sorted(markers, key=lambda m: (m.start_ms, m.kind))
