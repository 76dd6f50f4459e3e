"""What an item is for the guide: the editorial record every source fills in."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Editorial:
    """Title, series position and guide text; None means the source did not say."""

    title: str | None = None
    series: str | None = None
    season: int | None = None
    episode: int | None = None
    plot: str | None = None
    genres: tuple[str, ...] = field(default=())
    content_rating: str | None = None
    air_date: dt.date | None = None
    year: int | None = None

    def over(self, weaker: Editorial) -> Editorial:
        """This record, with the gaps filled from a less trusted one."""
        merged = {}
        for f in dataclasses.fields(self):
            mine = getattr(self, f.name)
            merged[f.name] = mine if mine not in (None, ()) else getattr(weaker, f.name)
        return Editorial(**merged)

    @property
    def is_episode(self) -> bool:
        return self.series is not None and self.episode is not None


def clean_rating(raw: str | None) -> str | None:
    """Kodi writes 'Rated PG-13' or 'US:TV-14'; the guide wants 'PG-13' and 'TV-14'."""
    if not raw or not raw.strip():
        return None
    text = raw.strip()
    if ":" in text:
        text = text.rsplit(":", 1)[1].strip()
    if text.lower().startswith("rated "):
        text = text[6:].strip()
    return text.upper()[:20] or None


def parse_day(raw: str | None) -> dt.date | None:
    """A date written YYYY-MM-DD (the first ten characters), or None when it is not one."""
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return None


def parse_int(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None
