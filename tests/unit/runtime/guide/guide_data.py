"""Plain schedule data for guide tests: channels and playlog items as runtime reads them."""

from __future__ import annotations

import datetime as dt

from retrovue.schedule_manager.airing import ChannelInfo, ScheduledItem

BASE = dt.datetime(2024, 5, 1, 18, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return BASE + dt.timedelta(minutes=minutes)


def channel(number: int, name: str, logo: str | None = None, active: bool = True) -> ChannelInfo:
    return ChannelInfo(number, name, "UTC", None, logo, active, f"{number}.retrovue")


def item(
    number: int,
    start: float,
    end: float,
    title: str | None,
    kind: str = "program",
    group: int | None = None,
    canonical: bool = True,
) -> ScheduledItem:
    """An item from `start` to `end` minutes after BASE; its group defaults to its start."""
    return ScheduledItem(
        event_id=int(start * 60) + number,
        channel_number=number,
        broadcast_day=BASE.date(),
        start_utc=at(start),
        end_utc=at(end),
        kind=kind,
        in_point_ms=0,
        program_group=int(start) if group is None else group,
        asset_id=None if title is None else 1,
        file_path=None if title is None else "/media/x.mp4",
        title=title,
        canonical=canonical and kind == "program",
        available=canonical and kind == "program",
    )


THREE = [channel(2, "Classic Gold"), channel(4, "Cartoon Alley"), channel(7, "Night Movies")]
NOW_TITLES = {2: "Twilight Zone", 4: "Looney Tunes", 7: "Casablanca"}


def three_channels() -> dict[int, list[ScheduledItem]]:
    """At BASE + 47 min each channel airs NOW_TITLES; channel 2's programme has a break."""
    return {
        2: [
            item(2, 30, 58, "Twilight Zone"),
            item(2, 58, 60, None, "break", group=30),
            item(2, 60, 90, "Star Trek"),
            item(2, 90, 150, "Perry Mason"),
        ],
        4: [item(4, 30, 60, "Looney Tunes"), item(4, 60, 120, "Scooby Doo")],
        7: [item(7, 0, 110, "Casablanca"), item(7, 110, 150, "Rear Window")],
    }
