"""A live channel of real files, captured over HTTP: a loud programme and a quiet commercial each
measure within 1 LU of the target under the ceiling (measured at ingest or not), the bug is on
the programme and not the commercial, and the programme's last seconds announce the next one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest
from air_oracles import grey_frames, measured_level, ocr
from live_station import air_in_order, record, serve
from media_kinds import KINDS, LOUDNESS_KINDS, MediaMaker
from sqlalchemy import select

from retrovue.ffmpeg import Ffmpeg
from retrovue.infra.bootstrap import open_station
from retrovue.schedule_manager.models import AsRunEvent, CatalogAsset

pytestmark = pytest.mark.slow

CAPTION_S = 3


def _bug(ffmpeg: Ffmpeg, path: Path) -> Path:
    ffmpeg.run(["-f", "lavfi", "-i", "color=c=0xff00ff:s=48x48", "-frames:v", "1",
                "-pix_fmt", "rgba", str(path)])  # fmt: skip
    return path


def _schedule(url: str, media: MediaMaker, bug: Path, start: dt.datetime) -> list[str]:
    """Channel 5: loud programme (8 s), quiet commercial (8 s) in its slot, then the next
    programme; returns the titles in order."""
    station = open_station(url)
    try:
        station.channels.create_channel(5, "Five", bug=str(bug), next_caption=CAPTION_S)
        parts = [
            ("Loud Show", "program", media.path(LOUDNESS_KINDS["programme_loud"]), 8, 0),
            ("Quiet Spot", "commercial", media.path(LOUDNESS_KINDS["commercial_quiet"]), 8, 0),
            ("LATE SHOW", "program", media.path(KINDS["anamorphic_480p_16x9"]), 3, 1),
        ]
        with station.db.transaction() as session:
            air_in_order(session, 5, start, parts)
    finally:
        station.close()
    return [title for title, *_ in parts]


Span = tuple[float, float | None]  # seconds from the tune-in: first on air, off air (None: not yet)


def _spans(url: str) -> tuple[dict[str, Span], list[tuple[str, str | None]]]:
    """Each title's span on air (as-run log), and every row's status and reason."""
    station = open_station(url)
    try:
        with station.db.reading() as session:
            rows = session.scalars(select(AsRunEvent).order_by(AsRunEvent.id)).all()
            titles = dict(session.execute(select(CatalogAsset.id, CatalogAsset.title)).all())
            return _span_of_each(rows, titles), [(r.status, r.reason) for r in rows]
    finally:
        station.close()


def _span_of_each(rows: Sequence[AsRunEvent], titles: dict[int, str]) -> dict[str, Span]:
    tuned = rows[0].started_utc
    # A programme a loaded machine could not keep up with is rejoined: one title may have
    # several rows; its span runs from the first to the last.
    spans: dict[str, Span] = {}
    for r in rows:
        if r.asset_id is not None and r.status in ("aired", "interrupted"):
            title = titles[r.asset_id]
            first = spans.get(title, ((r.started_utc - tuned).total_seconds(), None))[0]
            ended = None if r.ended_utc is None else (r.ended_utc - tuned).total_seconds()
            spans[title] = (first, ended)
    return spans


def _levelled(ffmpeg: Ffmpeg, capture: Path, spans: dict[str, Span]) -> None:
    """Each item measures within 1 LU of the target under the ceiling, over its span."""
    for title, (first, last) in spans.items():
        assert last is not None, title
        level = measured_level(ffmpeg, capture, first + 0.3, last - first - 0.6)
        assert abs(level.integrated_lufs - -24.0) <= 1.0, (title, level)
        assert level.true_peak_dbtp <= -2.0, (title, level)


def test_a_live_capture_levels_each_item_bugs_programmes_and_announces_the_next(
    media: MediaMaker, ffmpeg: Ffmpeg, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'rv.db'}"
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=6)
    titles = _schedule(url, media, _bug(ffmpeg, tmp_path / "bug.png"), start)
    capture = _capture(url, 5, start, 18, tmp_path)
    spans, statuses = _spans(url)
    assert set(titles[:2]) <= set(spans), statuses
    _levelled(ffmpeg, capture, {title: spans[title] for title in titles[:2]})

    def at(title: str) -> tuple[float, float]:
        first, last = spans[title]
        assert last is not None
        return first, last

    frames = list(grey_frames(capture, skip_s=0.0))
    origin = frames[0][0]

    def bugged(first: float, last: float) -> list[bool]:
        marks = []
        for t, frame in frames:
            if first + 0.5 <= t - origin <= last - 0.5:
                rgb = frame.reformat(format="rgb24").planes[0]
                data = bytes(rgb)
                x, y = frame.width - 64 - 24, frame.height - 36 - 24
                r, g, b = data[y * rgb.line_size + x * 3 : y * rgb.line_size + x * 3 + 3]
                marks.append(r > 200 and g < 60 and b > 200)
        return marks

    programme, spot = bugged(*at(titles[0])), bugged(*at(titles[1]))
    assert programme and all(programme)
    assert spot and not any(spot)
    first, last = at(titles[0])
    caption = ocr(capture, last - 1.0, (0, 540, 900, 180), tmp_path)
    assert f"Next: {titles[2]}" in caption, caption
    assert "Next" not in ocr(capture, first + 1.0, (0, 540, 900, 180), tmp_path)


def test_items_nobody_measured_are_levelled_on_air_by_the_single_pass_fallback(
    media: MediaMaker, ffmpeg: Ffmpeg, tmp_path: Path
) -> None:
    """Added by hand (no loudness measurement): a -14 LUFS programme and a -30 LUFS
    commercial, each captured whole as it aired."""
    url = f"sqlite:///{tmp_path / 'rv.db'}"
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=6)
    station = open_station(url)
    try:
        station.channels.create_channel(6, "Six")
        parts = [
            ("Loud Show", "program", media.path(LOUDNESS_KINDS["programme_loud"]), 8, 0),
            ("Quiet Spot", "commercial", media.path(LOUDNESS_KINDS["commercial_quiet"]), 8, 0),
        ]
        with station.db.transaction() as session:
            air_in_order(session, 6, start, parts, measured=False)
    finally:
        station.close()
    capture = _capture(url, 6, start, 16.5, tmp_path)
    spans, statuses = _spans(url)
    assert set(spans) == {"Loud Show", "Quiet Spot"}, statuses
    _levelled(ffmpeg, capture, spans)


def _capture(url: str, channel: int, start: dt.datetime, seconds: float, tmp_path: Path) -> Path:
    """Serve the station and record `channel` until `seconds` after `start`."""
    process, base = serve(url, tmp_path / "data")
    capture = tmp_path / "capture.ts"
    try:
        record(base, channel, capture, (start - dt.datetime.now(dt.UTC)).total_seconds() + seconds)
    finally:
        process.terminate()
        process.wait(20)
    return capture
