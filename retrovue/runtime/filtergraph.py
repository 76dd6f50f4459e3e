"""The filter graph that brings one file to the channel profile: picture, sound, overlays."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from retrovue.runtime.item_shape import TRUE_PEAK_CEILING, Bug, ItemShape
from retrovue.runtime.profile import OutputProfile

# Sound is limited this far under the true-peak ceiling: AAC coding and the resampling back
# from the limiter's 4x rate overshoot by up to about a decibel.
LIMITER_MARGIN_DB: Final = 1.5
OVERSAMPLED_RATE: Final = 192_000  # 4x: sample peaks there are true peaks (BS.1770)
TITLE_SAFE: Final = 0.05  # the margin, each side, of the title-safe area (90 %)
BUG_MAX: Final = 5  # a bug at most 1/5 of the frame each way
STEREO: Final = "aformat=sample_fmts=fltp:channel_layouts=stereo"
# The loudness range (LU) the single-pass normaliser leaves alone: a film's or a drama's;
# only wider sound has its quiet and loud passages brought closer.
SINGLE_PASS_LRA: Final = 15.0


def filter_path(path: Path | str) -> str:
    """A path quoted for a filtergraph option value."""
    text = str(path).replace("\\", "/")
    return "'" + text.replace("'", r"'\''").replace(":", r"\:") + "'"


@dataclass(frozen=True)
class GraphInputs:
    """Where each input sits in the argv: the file is 0; silence and the bug when present."""

    silence: int | None
    bug: int | None


def video_graph(
    profile: OutputProfile,
    source: str,
    shape: ItemShape,
    inputs: GraphInputs,
    offset_s: float,
    caption_text: Path | None,
    font: Path | None,
    tail_hold_s: float,
    preroll_s: float = 0.0,
) -> str:
    """The picture: deinterlaced, subtitled, fitted by its display shape, at the channel's
    rate, the bug and caption drawn, ending on `[v]`; the first `preroll_s` seconds read
    (for the subtitles on screen at the offset) are dropped."""
    w, h = profile.width, profile.height
    flags = ":flags=fast_bilinear" if shape.heavy else ""
    # `dar` is the display aspect (width x SAR / height): anamorphic widens, 4:3 pillarboxes.
    chain = [
        *filter(None, [_skip(preroll_s), _deinterlace(profile, shape)]),
        f"scale=w='if(gt(dar,{w}/{h}),{w},2*trunc({h}*dar/2))'"
        f":h='if(gt(dar,{w}/{h}),2*trunc({w}/dar/2),{h})'{flags}",
    ]
    graph = "[0:v:0]" + ",".join(chain)
    chain = []
    sub = shape.subtitle
    if sub is not None and sub.image and sub.index is not None:
        # Picture subtitles are fitted as the picture was (so an anamorphic DVD's widen with
        # it) and drawn on it at the channel's size, not the source's: cheaper for 4K.
        # (In scale2ref, iw and ih are the reference's: the fitted picture.)
        pictures = f"[0:s:{sub.index}]"
        graph += "[fit];"
        if preroll_s > 0:  # on the picture's clock: the line begun before the offset is at < 0
            graph += f"{pictures}{_shift(preroll_s)}[early];"
            pictures = "[early]"
        graph += (
            f"{pictures}[fit]scale2ref=w=iw:h=ih{flags}[subs][pic];"
            "[pic][subs]overlay=eof_action=pass"
        )
    chain.append(f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,setsar=1")
    if sub is not None and not sub.image:
        # The subtitle renderer reads the file's own times; the seek made ours start at 0.
        if sub.path is not None:
            subtitles = f"subtitles=filename={filter_path(sub.path)}"
        else:
            subtitles = f"subtitles=filename={filter_path(source)}:si={sub.index or 0}"
        chain += [f"setpts=PTS+{offset_s:.3f}/TB", subtitles, f"setpts=PTS-{offset_s:.3f}/TB"]
    chain.append(f"fps={profile.fps}")
    graph += "," + ",".join(chain)
    if shape.bug is not None and inputs.bug is not None:
        graph += f"[main];{_bug(profile, shape.bug, inputs.bug)}"
    tail = []
    if shape.caption is not None and caption_text is not None and font is not None:
        tail.append(_caption(profile, shape, caption_text, font))
    tail += [f"tpad=stop_mode=clone:stop_duration={tail_hold_s}", "format=yuv420p"]
    return graph + "," + ",".join(tail) + "[v]"


def _skip(seconds: float, kind: str = "") -> str:
    """Drop the first `seconds` of a stream (`kind` "" or "a") and start it at 0 again."""
    if seconds <= 0:
        return ""
    return f"{kind}trim=start={seconds:.6f},{_shift(seconds, kind)}"


def _shift(seconds: float, kind: str = "") -> str:
    return f"{kind}setpts=PTS-{seconds:.6f}/TB"


def _deinterlace(profile: OutputProfile, shape: ItemShape) -> str:
    """bwdif, one picture per field when the channel's rate is above the source's frame rate
    (25i becomes 50 pictures, then 30), one per frame otherwise (29.97i to 30)."""
    if shape.field_order is None:
        return ""
    per_field = shape.source_fps is not None and profile.fps > shape.source_fps * 1.01
    mode = "send_field" if per_field else "send_frame"
    parity = "tff" if shape.field_order == "tt" else "bff"
    return f"bwdif=mode={mode}:parity={parity}:deint=all"


def _margins(profile: OutputProfile) -> tuple[int, int]:
    return round(profile.width * TITLE_SAFE), round(profile.height * TITLE_SAFE)


def _bug(profile: OutputProfile, bug: Bug, index: int) -> str:
    mx, my = _margins(profile)
    x = f"{mx}" if bug.position.endswith("left") else f"main_w-overlay_w-{mx}"
    y = f"{my}" if bug.position.startswith("top") else f"main_h-overlay_h-{my}"
    most_w, most_h = profile.width // BUG_MAX, profile.height // BUG_MAX
    return (
        f"[{index}:v]format=rgba,colorchannelmixer=aa={bug.opacity:.3f},"
        f"scale=w='min(iw,{most_w})':h='min(ih,{most_h})':force_original_aspect_ratio=decrease"
        f"[bug];[main][bug]overlay=x={x}:y={y}:format=auto"
    )


def _caption(profile: OutputProfile, shape: ItemShape, text: Path, font: Path) -> str:
    assert shape.caption is not None
    mx, my = _margins(profile)
    size = profile.height // 16
    # Bottom left, unless the bug is there.
    left = shape.bug is None or shape.bug.position != "bottom-left"
    x = f"{mx}" if left else f"w-text_w-{mx}"
    return (
        f"drawtext=fontfile={filter_path(font)}:textfile={filter_path(text)}:expansion=none:"
        f"fontcolor=white:fontsize={size}:box=1:boxcolor=black@0.6:boxborderw={size // 4}:"
        f"x={x}:y=h-text_h-{my}:enable='gte(t,{shape.caption.from_s:.3f})'"
    )


def audio_chain(
    profile: OutputProfile,
    gain_db: float | None,
    target_lufs: float | None = None,
    preroll_s: float = 0.0,
) -> str:
    """One aired track's filters: its first `preroll_s` seconds read dropped, downmixed to
    stereo by the standard matrix, brought to the target by the measured static gain under a
    true-peak limiter, padded with silence to the picture's end. Unmeasured (`gain_db` None),
    it is brought to `target_lufs` by the single-pass normaliser (`single_pass`), or airs at
    unity gain without a target.

    Each track is its own simple filtergraph (`-filter:a:N`), never part of the complex one:
    ffmpeg 5.1's -shortest does not end a padded track that comes out of a complex graph, so a
    file whose picture ends early would go on sending sound alone.
    """
    rate = profile.sample_rate
    limit = 10 ** ((TRUE_PEAK_CEILING - LIMITER_MARGIN_DB) / 20)
    head = f"{_skip(preroll_s, 'a')}," if preroll_s > 0 else ""
    if gain_db is None and target_lufs is not None:
        level = single_pass(target_lufs)
    else:
        level = f"volume={gain_db or 0.0:.2f}dB"
    return (
        f"{head}aresample={rate}:async=1,{STEREO},{level},aresample={OVERSAMPLED_RATE},"
        f"alimiter=limit={limit:.4f}:attack=1:release=20:level=false:latency=true,"
        f"aresample={rate},apad"
    )


def single_pass(target_lufs: float) -> str:
    """loudnorm's dynamic mode: its gain follows the loudness of the 3 s ahead, slowly (no
    pumping), towards `target_lufs`, with its own true-peak limiter at the limiter's level.

    It holds 3 s of sound before its first output, so its input is the file's sound alone,
    read by a demuxer of its own (see ProducerFactory.file): with the picture's demuxer it
    would wait for 3 s of picture to be decoded and encoded too."""
    peak = TRUE_PEAK_CEILING - LIMITER_MARGIN_DB
    # loudnorm 5.1 leaves its output's channel layout open; the limiter needs one.
    return f"loudnorm=I={target_lufs:g}:TP={peak:g}:LRA={SINGLE_PASS_LRA:g}:linear=false,{STEREO}"
