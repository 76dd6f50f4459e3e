"""ffmpeg arguments of the guide producer: the still scrolled under its header, a music bed."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from retrovue.runtime.filtergraph import audio_chain
from retrovue.runtime.guide.board import GuideBoard
from retrovue.runtime.guide.render import Geometry, GuideRenderer
from retrovue.runtime.profile import OutputProfile

SCROLL_PX_PER_S: Final = 30  # slow enough to read a row as it passes
# The rows move 2 lines every other frame, not 1 every frame: the frames between repeat the
# last exactly, which the encoder sends for almost nothing (a third less CPU, measured), and
# an even step keeps the 4:2:0 crop on whole chroma lines.
SCROLL_STEPS_PER_S: Final = 15
STILL_FPS: Final = 2  # how often ffmpeg reads the still again
# The producer runs at most this far ahead of real time: a burst at its start (playout has
# its lead at once), then paced by the clock. Unpaced, ffmpeg would run as far ahead as
# playout's queue lets it, and a new still would air that much later (11 s, measured).
AHEAD_S: Final = 3
# A still swapped in airs about this much later (AHEAD_S, the still's read interval and
# playout's queue and lead; measured 5.0 s in tests/integration/runtime/test_guide_render.py).
AIR_DELAY_S: Final = 5.0


def guide_board(profile: OutputProfile, path: Path, font: Path | None) -> GuideBoard:
    """A board whose still fits `profile`'s screen (and so the producer's filtergraph)."""
    return GuideBoard(GuideRenderer(profile.width, profile.height, font), path)


def video_graph(profile: OutputProfile) -> str:
    """The still's header strip stays put; its rows scroll up and wrap around when they are
    taller than the screen (the renderer repeats the first screenful below the last row, so
    the wrap is seamless), else stand still. The still is converted to 4:2:0 once per read;
    each frame is then two crops (no copy) and a stack."""
    g = Geometry(profile.width, profile.height)
    w, head, view = profile.width, g.head_h, g.view_h
    step = SCROLL_PX_PER_S // SCROLL_STEPS_PER_S
    # ih - height is the rows' height when they scroll and 0 when they fit (then y = head);
    # the quarter step keeps float rounding of t from ever taking a step back.
    steps = f"floor(t*{SCROLL_STEPS_PER_S}+0.25)"
    y = f"{head}+mod({step}*{steps}\\,max(ih-{profile.height}\\,1))"
    return (
        f"[0:v]setpts=PTS-STARTPTS,format=yuv420p,fps={profile.fps},split=2[top][body];"
        f"[top]crop={w}:{head}:0:0[head];"
        f"[body]crop={w}:{view}:0:{y}:exact=1[rows];"
        "[head][rows]vstack=inputs=2,setsar=1[v]"
    )


def guide_args(
    profile: OutputProfile,
    still: Path,
    duration_s: float,
    music: Path | None = None,
    gain_db: float = 0.0,
) -> list[str]:
    """The guide for `duration_s`, in exactly the profile linear producers encode to.

    `still` is a board's file, read again twice a second (so a refreshed board airs without
    a restart); `music` is a bed (see `music_bed`) looped for the whole run at `gain_db`, and
    without one the guide has silence.
    """
    if duration_s <= 0:
        raise ValueError("a guide producer needs a positive duration")
    p = profile
    video_input = [
        # Stills are read at their time, AHEAD_S early (the offset, taken off again by the
        # filtergraph): none is read before its time, so none is stale when it airs. One
        # decoder thread and a one-packet input queue: more would hold old stills back.
        "-threads", "1", "-thread_queue_size", "1", "-readrate", "1",
        "-itsoffset", f"-{AHEAD_S}", "-f", "image2", "-pattern_type", "none",
        "-loop", "1", "-framerate", str(STILL_FPS), "-i", str(still),
    ]  # fmt: skip
    if music is not None:
        audio_input = ["-stream_loop", "-1", "-i", str(music)]
        audio = f"[1:a:0]{audio_chain(p, gain_db)}[a]"
    else:
        audio_input = ["-f", "lavfi", "-i", f"anullsrc=r={p.sample_rate}:cl=stereo"]
        audio = f"[1:a:0]{audio_chain(p, None)}[a]"
    return [
        *video_input, *audio_input,
        "-filter_complex", f"{video_graph(p)};{audio}",
        "-map", "[v]", "-map", "[a]",
        "-t", f"{duration_s:.3f}",
        *p.encode_args(),
    ]  # fmt: skip
