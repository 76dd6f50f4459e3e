"""Two stations on one PostgreSQL database serve a channel's HLS interchangeably: the same
sequence numbers for the same moments, starting at the same PTS on the same picture."""

from __future__ import annotations

import datetime as dt
import io
import math
import subprocess
import time
from pathlib import Path

import av
import httpx
import pytest
from sqlalchemy import select
from station_process import Station, start_station

from retrovue.ffmpeg import resolve_ffmpeg
from retrovue.infra.admin_services import AssetAdminService, ChannelAdminService
from retrovue.infra.db import open_database
from retrovue.schedule_manager.models import AsRunEvent, Channel, PlaylogEvent
from retrovue.schedule_manager.timemath import to_ms

CLIP_S = 20
PTS_WRAP = 1 << 33
MIN_PSNR_DB = 40.0  # two encoders' pictures of one source frame (their rate control differs)
SEGMENT_URL = "/iptv/channel/1/hls/{}.ts"


def pattern_clip(path: Path) -> Path:
    """A deterministic moving test pattern (testsrc2) with a tone: every decode is the same."""
    subprocess.run(
        [resolve_ffmpeg(), "-v", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=s=640x360:r=30:d={CLIP_S}",
         "-f", "lavfi", "-i", f"sine=f=660:r=48000:d={CLIP_S}",
         "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-c:a", "aac", "-ac", "2",
         str(path)],
        check=True, timeout=120,
    )  # fmt: skip
    return path


def schedule_clip(url: str, clip: Path, start: dt.datetime) -> None:
    """Channel 1 airs `clip` back to back from `start` for ten minutes."""
    db = open_database(url)
    try:
        ChannelAdminService(db).create_channel(1, "Test 1", grid_size=15)
        asset = AssetAdminService(db).add_asset("pattern", CLIP_S * 1000, str(clip), canonical=True)
        with db.transaction() as session:
            channel_id = session.scalars(select(Channel.id).where(Channel.number == 1)).one()
            at = start
            while at < start + dt.timedelta(minutes=10):
                end = at + dt.timedelta(seconds=CLIP_S)
                session.add(
                    PlaylogEvent(
                        channel_id=channel_id, broadcast_day=at.date(), start_ms=to_ms(at),
                        end_ms=to_ms(end), kind="program", asset_id=asset["id"], in_point_ms=0,
                        program_group=int(at.timestamp()),
                    )
                )  # fmt: skip
                at = end
    finally:
        db.dispose()


def playlist(client: httpx.Client, station: Station) -> dict[int, float]:
    """Sequence number -> duration of each segment in the station's live playlist."""
    answer = client.get(f"{station.base}/iptv/channel/1.m3u8")
    assert answer.status_code == 200, answer.text
    lines = answer.text.splitlines()
    first = int(next(line for line in lines if line.startswith("#EXT-X-MEDIA-SEQUENCE:"))[22:])
    durations = [float(line[8:].split(",")[0]) for line in lines if line.startswith("#EXTINF:")]
    uris = [line for line in lines if line and not line.startswith("#")]
    assert uris == [SEGMENT_URL.format(first + n) for n in range(len(uris))]
    return {first + n: duration for n, duration in enumerate(durations)}


def collect(
    client: httpx.Client, station: Station, into: dict[int, bytes], seen: dict[int, float]
) -> None:
    for sequence, duration in playlist(client, station).items():
        seen[sequence] = duration
        if sequence not in into:
            answer = client.get(station.base + SEGMENT_URL.format(sequence))
            if answer.status_code == 200:  # one may slide out between the two requests
                into[sequence] = answer.content


def video_start_pts(path: Path) -> int:
    """The PTS of a segment's first video packet, by ffprobe."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts",
         "-read_intervals", "%+#1", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout  # fmt: skip
    return int(out.split()[0].split(",")[0])


def first_picture(data: bytes) -> tuple[bool, bytes]:
    """Whether a segment's first decoded picture is a keyframe, and its luma plane."""
    with av.open(io.BytesIO(data), format="mpegts") as container:
        frame = next(container.decode(video=0))
        return frame.key_frame, bytes(
            frame.reformat(width=640, height=360, format="gray").planes[0]
        )


def psnr_db(a: bytes, b: bytes) -> float:
    assert len(a) == len(b)
    squared = sum((x - y) ** 2 for x, y in zip(a, b, strict=True))
    return math.inf if squared == 0 else 10 * math.log10(255**2 * len(a) / squared)


def wait_for_fraction(fraction: float) -> None:
    """Sleep until the wall clock's fraction of a second is `fraction`."""
    time.sleep((fraction - time.time()) % 1.0)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_stations_tuned_at_different_moments_serve_the_same_hls_segments(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    clip = pattern_clip(tmp_path / "pattern.mp4")
    # Items start a third of a second into a second: boundaries are not the schedule's.
    start = dt.datetime.now(dt.UTC).replace(microsecond=333_333) - dt.timedelta(seconds=9)
    schedule_clip(fresh_pg_url, clip, start)
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    first = start_station(fresh_pg_url, tmp_path / "a", "--node", "station-a")
    second = start_station(fresh_pg_url, tmp_path / "b", "--node", "station-b")
    segments: dict[str, dict[int, bytes]] = {"a": {}, "b": {}}
    listed: dict[str, dict[int, float]] = {"a": {}, "b": {}}
    try:
        with httpx.Client(timeout=15) as client:
            wait_for_fraction(0.15)
            collect(client, first, segments["a"], listed["a"])
            time.sleep(2.0)
            wait_for_fraction(0.7)  # the second tunes in at another point of its second
            collect(client, second, segments["b"], listed["b"])
            until = time.monotonic() + 5.0
            while time.monotonic() < until:
                collect(client, first, segments["a"], listed["a"])
                collect(client, second, segments["b"], listed["b"])
                time.sleep(0.3)
    finally:
        first.stop()
        second.stop()

    # Sequence numbers are seconds since the epoch: both stations number the present alike.
    now = int(time.time())
    for name in ("a", "b"):
        assert all(now - 15 <= sequence <= now + 2 for sequence in listed[name]), listed[name]
        assert all(duration == 1.0 for duration in listed[name].values()), listed[name]
    common = sorted(set(segments["a"]) & set(segments["b"]))
    assert len(common) >= 4, (sorted(segments["a"]), sorted(segments["b"]))
    assert min(segments["a"]) < min(segments["b"])  # the first tuned in earlier
    for sequence in common:
        starts = []
        pictures = []
        for name in ("a", "b"):
            path = tmp_path / f"{name}-{sequence}.ts"
            path.write_bytes(segments[name][sequence])
            starts.append(video_start_pts(path))
            keyframe, luma = first_picture(segments[name][sequence])
            assert keyframe, f"segment {sequence} of station {name} opens on no keyframe"
            pictures.append(luma)
        # Segment k starts at k seconds since the epoch, in 90 kHz ticks modulo 33 bits.
        assert starts == [sequence * 90_000 % PTS_WRAP] * 2, (sequence, starts)
        assert psnr_db(*pictures) >= MIN_PSNR_DB, sequence

    database = open_database(fresh_pg_url)
    try:
        with database.transaction() as session:
            nodes = set(session.scalars(select(AsRunEvent.node)))
    finally:
        database.dispose()
    assert nodes == {"station-a", "station-b"}  # each station logs what it aired itself
