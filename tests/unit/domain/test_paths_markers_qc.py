"""Path mapping, markers from chapters, and QC flags: the library's small rules."""

from __future__ import annotations

from retrovue.domain.markers import MarkerSpec, from_chapters
from retrovue.domain.paths import PathResolver
from retrovue.domain.probe import AudioStream, Chapter, ProbeResult
from retrovue.domain.qc import blocks_canonical, check, describe


def test_the_longest_matching_prefix_wins() -> None:
    resolver = PathResolver.of([("/data", "/mnt/a"), ("/data/tv/", "/mnt/tv")])
    assert resolver.resolve("/data/tv/Show/x.mkv") == "/mnt/tv/Show/x.mkv"
    assert resolver.resolve("/data/movies/y.mkv") == "/mnt/a/movies/y.mkv"


def test_prefixes_match_whole_path_components_only() -> None:
    resolver = PathResolver.of([("/data/tv", "/mnt/tv")])
    assert resolver.resolve("/data/tv2/x.mkv") == "/data/tv2/x.mkv"
    assert resolver.resolve("/data/tv") == "/mnt/tv"


def test_windows_plex_paths_map_onto_posix_paths() -> None:
    resolver = PathResolver.of([("D:\\Media", "/srv/media")])
    assert resolver.resolve("D:\\Media\\TV\\a.mkv") == "/srv/media/TV/a.mkv"


def test_an_unmapped_path_is_returned_as_it_is() -> None:
    assert PathResolver.of([]).resolve("/x/y.mkv") == "/x/y.mkv"


def test_inner_chapter_boundaries_away_from_the_ends_become_break_candidates() -> None:
    chapters = [
        Chapter(0, 10_000, "Cold"),
        Chapter(10_000, 600_000, "A"),
        Chapter(600_000, None, "B"),
    ]
    markers = from_chapters(chapters, duration_ms=1_320_000)
    assert [m for m in markers if m.kind == "break"] == [MarkerSpec("break", 600_000)]
    assert [m.title for m in markers if m.kind == "chapter"] == ["Cold", "A", "B"]
    assert MarkerSpec("break", 600_000).to_json() == {
        "kind": "break",
        "start_ms": 600_000,
        "end_ms": None,
        "title": None,
    }


def _probe(
    video: str | None = "h264", duration: int | None = 5000, audio: bool = True
) -> ProbeResult:
    streams = (AudioStream("aac", 2, "eng"),) if audio else ()
    return ProbeResult(duration, "matroska", video, 96, 72, 25.0, 1000, streams)


def test_qc_flags_what_should_not_air() -> None:
    assert check(None) == ["unreadable"]
    assert check(_probe()) == []
    assert check(_probe(video=None, audio=False)) == ["no_video", "no_audio"]
    assert check(_probe(duration=None)) == ["no_duration"]
    assert check(_probe(duration=100)) == ["tiny_duration"]
    assert describe(["no_video", "no_audio"]) == "no video stream; no audio stream"


def test_an_operator_approval_waives_soft_flags_but_never_hard_ones() -> None:
    assert blocks_canonical(["no_audio"], operator_approved=False) == ["no_audio"]
    assert blocks_canonical(["no_audio"], operator_approved=True) == []
    assert blocks_canonical(["no_video", "no_audio"], operator_approved=True) == ["no_video"]
