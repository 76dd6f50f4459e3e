"""A live channel carrying a second language, captured over HTTP: two AAC tracks marked eng
and spa in the PMT, in the .ts and in HLS segments; the second carries the programme's
Spanish sound and, over a commercial with no Spanish track, the commercial's own sound,
without a gap; mpv --aid=2 hears it."""

from __future__ import annotations

import array
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import av
import httpx
import pytest
from air_oracles import RATE, dominant_tone, mono_samples
from live_station import air_in_order, record, serve
from media_airing import IN_CI
from media_kinds import KINDS, TONES, MediaMaker
from sqlalchemy import select

from retrovue.infra.bootstrap import open_station
from retrovue.schedule_manager.models import AsRunEvent, CatalogAsset

pytestmark = pytest.mark.slow

CANDIDATES = sorted(TONES.values())
PARTS = (  # title, kind, file, seconds
    ("Bilingual Show", "program", KINDS["feature_1080p23976_ac3_two_languages"], 4),
    ("English Spot", "commercial", KINDS["anamorphic_480p_16x9"], 3),
)


def _schedule(url: str, media: MediaMaker, start: dt.datetime) -> None:
    station = open_station(url)
    try:
        station.channels.create_channel(7, "Seven", audio_language="eng", second_audio="spa")
        with station.db.transaction() as session:
            parts = [(t, k, media.path(f), seconds, 0) for t, k, f, seconds in PARTS]
            air_in_order(session, 7, start, parts)
    finally:
        station.close()


def _spans(url: str) -> dict[str, tuple[float, float]]:
    """Each title's first and last second on air, from the first as-run row's start."""
    station = open_station(url)
    try:
        with station.db.reading() as session:
            rows = session.scalars(select(AsRunEvent).order_by(AsRunEvent.id)).all()
            titles = dict(session.execute(select(CatalogAsset.id, CatalogAsset.title)).all())
            tuned = rows[0].started_utc
            spans: dict[str, tuple[float, float]] = {}
            for r in rows:
                if r.asset_id is not None and r.ended_utc is not None:
                    began = (r.started_utc - tuned).total_seconds()
                    spans[titles[r.asset_id]] = (
                        spans.get(titles[r.asset_id], (began, 0.0))[0],
                        (r.ended_utc - tuned).total_seconds(),
                    )
            return spans
    finally:
        station.close()


def _audio_streams(path: Path) -> list[tuple[str, int, str | None]]:
    binary = shutil.which("ffprobe")
    assert binary is not None, "ffprobe is required"
    out = subprocess.run(
        [binary, "-v", "error", "-select_streams", "a", "-show_streams", "-of", "json", str(path)],
        capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL,
    ).stdout  # fmt: skip
    return [
        (s["codec_name"], s["channels"], s.get("tags", {}).get("language"))
        for s in json.loads(out)["streams"]
    ]


def _tone(samples: array.array[float], at_s: float) -> int:
    """The dominant tone half a second past `at_s` (seconds into `samples`)."""
    first = max(round(at_s * RATE), 0)
    tone, share = dominant_tone(samples[first : first + RATE], CANDIDATES)
    assert share > 0.9, (at_s, tone, share)
    return tone


def test_a_live_channel_carries_its_second_language_on_a_second_marked_track(
    media: MediaMaker, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'rv.db'}"
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=5)
    _schedule(url, media, start)
    process, base = serve(url, tmp_path / "data")
    capture = tmp_path / "capture.ts"
    segment = tmp_path / "segment.ts"
    try:
        record(base, 7, capture, (start - dt.datetime.now(dt.UTC)).total_seconds() + 8)
        # HLS is cut from the same stream (the channel lingers on air): a segment holds both.
        with httpx.Client(base_url=base, timeout=10) as client:
            playlist = client.get("/iptv/channel/7.m3u8").raise_for_status().text
            uris = [line for line in playlist.splitlines() if line and not line.startswith("#")]
            segment.write_bytes(client.get(uris[-1]).raise_for_status().content)
    finally:
        process.terminate()
        process.wait(20)
    assert _audio_streams(capture) == [("aac", 2, "eng"), ("aac", 2, "spa")]
    assert _audio_streams(segment) == [("aac", 2, "eng"), ("aac", 2, "spa")]
    spans = _spans(url)
    assert set(spans) == {title for title, *_ in PARTS}, spans
    with av.open(str(capture)) as container:
        video = container.streams.video[0]
        origin = float(video.start_time * video.time_base)
    main_start, main = mono_samples(capture, 0)
    second_start, second = mono_samples(capture, 1)
    # The second track runs the whole capture beside the main one: it never went missing.
    assert abs(second_start - main_start) < 0.05
    assert abs(len(second) - len(main)) / RATE < 0.1, (len(main), len(second))
    show, spot = spans["Bilingual Show"], spans["English Spot"]
    assert _tone(main, show[0] + origin - main_start + 1.0) == TONES["eng"]
    assert _tone(second, show[0] + origin - second_start + 1.0) == TONES["spa"]
    assert _tone(main, spot[0] + origin - main_start + 1.0) == TONES["eng"]
    assert _tone(second, spot[0] + origin - second_start + 1.0) == TONES["eng"]

    mpv = shutil.which("mpv")
    if mpv is None:
        if IN_CI:
            pytest.fail("mpv is required under CI")
        pytest.skip("mpv is not installed")
    heard = tmp_path / "heard.pcm"
    subprocess.run(
        [mpv, "--no-config", "--really-quiet", "--aid=2", "--vo=null", "--ao=pcm",
         f"--ao-pcm-file={heard}", "--ao-pcm-waveheader=no", "--audio-samplerate=48000",
         "--audio-channels=mono", "--audio-format=s16", str(capture)],
        check=True, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    raw = array.array("h", heard.read_bytes())  # signed 16-bit, 48 kHz, mono, from the start
    played = array.array("f", (s / 32768 for s in raw))
    assert _tone(played, show[0] + origin - main_start + 1.0) == TONES["spa"]
    assert _tone(played, spot[0] + origin - main_start + 1.0) == TONES["eng"]
