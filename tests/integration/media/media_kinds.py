"""The real-file matrix: short files of every kind a library holds, made by ffmpeg on demand.

Each kind is a recipe (ffmpeg arguments) and what airing it right must show: the picture's
width in a 1280x720 frame, whether it is interlaced, and each audio language's tone. Files
are made once and kept in pytest's cache under a hash of their recipe.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from retrovue.ffmpeg import Ffmpeg

SUBTITLE_TEXT = "HELLO WORLD"
FIELD_BRIGHT, FIELD_DARK = 235, 96  # luma of the 480i source's two fields
PICTURE_LUMA_MIN = 60  # every kind's picture is brighter than this; black bars are 16
TONES = {"eng": 500, "spa": 800}
FLASH_S = 0.1
BEEP_HZ = 1000

SRT = f"1\n00:00:00,000 --> 00:10:00,000\n{SUBTITLE_TEXT}\n"
_FILL = "color=c=0x7090b0"  # a mid blue, luma about 138, to every edge of the picture


def _tone(language: str) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=f={TONES[language]}:r=48000"]


def _five_one(input_label: str, out: str) -> str:
    return f"[{input_label}]pan=5.1(side)|FL=c0|FR=c0|FC=c0|LFE=c0|SL=c0|SR=c0[{out}]"


@dataclass(frozen=True)
class Kind:
    """One kind of file; `picture_width` is its width once fitted into 1280x720."""

    name: str
    suffix: str
    args: tuple[str, ...]
    picture_width: int = 1280
    interlaced: bool = False
    tones: dict[str, int] = field(default_factory=dict)
    subtitles: bool = False
    seconds: float = 3.0


H264 = ("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
HEVC10 = (
    "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
    "-pix_fmt", "yuv420p10le",
)  # fmt: skip
AAC = ("-c:a", "aac", "-ac", "2")


def _kinds() -> list[Kind]:
    feature = Kind(
        "feature_1080p23976_ac3_two_languages",
        ".mkv",
        (
            "-f", "lavfi", "-i", f"{_FILL}:s=1920x1080:r=24000/1001",
            *_tone("eng"), *_tone("spa"), "-i", "{srt}",
            "-filter_complex", f"{_five_one('1:a', 'e')};{_five_one('2:a', 's')}",
            "-map", "0:v", "-map", "[e]", "-map", "[s]", "-map", "3:s", "-t", "4",
            *H264, "-profile:v", "high", "-x264-params", "cabac=1:8x8dct=1",
            "-c:a", "ac3", "-b:a", "384k", "-c:s", "srt",
            "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=spa",
            "-metadata:s:s:0", "language=eng",
            "-disposition:a:0", "default", "-disposition:a:1", "0",
        ),
        tones={"eng": TONES["eng"], "spa": TONES["spa"]},
        subtitles=True,
        seconds=4.0,
    )  # fmt: skip
    return [
        feature,
        Kind(
            "hevc_1080p_10bit", ".mkv",
            ("-f", "lavfi", "-i", f"{_FILL}:s=1920x1080:r=24", *_tone("eng"), "-t", "3",
             *HEVC10, *AAC, "-metadata:s:a:0", "language=eng"),
            tones={"eng": TONES["eng"]},
        ),
        Kind(
            # Every even line bright, every odd line dark, swapped each frame: the two fields
            # of a frame differ completely, so a woven picture combs as badly as it can.
            "dvd_480i_4x3_mpeg2", ".mkv",
            ("-f", "lavfi", "-i", "color=c=black:s=720x480:r=30000/1001", *_tone("eng"),
             "-vf", f"geq=lum='if(mod(Y+N\\,2)\\,{FIELD_DARK}\\,{FIELD_BRIGHT})':cb=128:cr=128,"
             "setfield=tff",
             "-t", "3", "-c:v", "mpeg2video", "-q:v", "2", "-flags", "+ilme+ildct", "-top", "1",
             "-aspect", "4:3", "-c:a", "ac3", "-ac", "2"),
            picture_width=960, interlaced=True, tones={"eng": TONES["eng"]},
        ),
        Kind(
            # Interlaced motion in a stream that does not say so: only `idet` can tell.
            "xvid_480i_unflagged", ".avi",
            ("-f", "lavfi", "-i", "testsrc2=s=720x480:r=60000/1001", *_tone("eng"),
             "-vf", "tinterlace=mode=interleave_top", "-t", "3", "-c:v", "mpeg4", "-q:v", "3",
             "-aspect", "4:3", "-c:a", "libmp3lame", "-ac", "2"),
            picture_width=960, interlaced=True, tones={"eng": TONES["eng"]},
        ),
        Kind(
            "anamorphic_480p_16x9", ".mkv",
            ("-f", "lavfi", "-i", f"{_FILL}:s=720x480:r=30000/1001", *_tone("eng"), "-t", "3",
             "-aspect", "16:9", *H264, *AAC),
            tones={"eng": TONES["eng"]},
        ),
        Kind(
            "phone_vfr_h264", ".mp4",
            ("-f", "lavfi", "-i", f"{_FILL}:s=640x360:r=60", *_tone("eng"),
             "-vf", "select='lt(mod(n\\,10)\\,3)+eq(mod(n\\,7)\\,0)'", "-fps_mode", "vfr",
             "-t", "3", *H264, *AAC),
            tones={"eng": TONES["eng"]},
        ),
        Kind(
            "video_only_h264", ".mp4",
            ("-f", "lavfi", "-i", f"{_FILL}:s=640x360:r=25", "-t", "3", *H264),
        ),
        Kind(
            "mono_mp3_in_mkv", ".mkv",
            ("-f", "lavfi", "-i", f"{_FILL}:s=640x360:r=25", "-f", "lavfi", "-i",
             f"sine=f={TONES['eng']}:r=44100", "-t", "3", *H264,
             "-c:a", "libmp3lame", "-ac", "1"),
            tones={"eng": TONES["eng"]},
        ),
        Kind(
            "uhd_hevc_10bit", ".mkv",
            ("-f", "lavfi", "-i", f"{_FILL}:s=3840x2160:r=24", *_tone("eng"), "-t", "1.5",
             *HEVC10, *AAC),
            tones={"eng": TONES["eng"]}, seconds=1.5,
        ),
    ]  # fmt: skip


KINDS: dict[str, Kind] = {kind.name: kind for kind in _kinds()}


def _flash_and_beep(rate: str, period_frames: int, vfr: bool) -> tuple[str, ...]:
    """A grey picture that turns white for 3 frames every `period_frames`, and a beep that
    starts exactly when each flash does (on a frame's time, so the source itself is in sync)."""
    num, _, den = rate.partition("/")
    period_s = period_frames * int(den or 1) / int(num)
    video = f"drawbox=c=white:t=fill:enable='lt(mod(n\\,{period_frames})\\,3)'"
    if vfr:  # drop frames irregularly, as a phone does in low light (never a flash's first)
        video += ",select='not(eq(mod(n\\,5)\\,3))'"
    beep = f"if(lt(mod(t,{period_s}),{FLASH_S}),0.5*sin(2*PI*{BEEP_HZ}*t),0)"
    return (
        "-f", "lavfi", "-i", f"color=c=0x808080:s=320x240:r={rate}",
        "-f", "lavfi", "-i", f"aevalsrc='{beep}':s=48000",
        "-vf", video, *(("-fps_mode", "vfr") if vfr else ()), "-t", "64", *H264, *AAC,
    )  # fmt: skip


# Long enough that a frame-rate conversion that drifts has drifted by a minute in.
SYNC_KINDS: dict[str, Kind] = {
    "sync_23976": Kind("sync_23976", ".mkv", _flash_and_beep("24000/1001", 48, False), seconds=64),
    "sync_vfr": Kind("sync_vfr", ".mp4", _flash_and_beep("60", 120, True), seconds=64),
}


def _pink(gain_db: float, bursts: bool) -> tuple[str, ...]:
    """Pink noise (-20.6 LUFS before `gain_db`); with, every 3 s, a 3 ms burst near full scale
    (a drum hit, say) that barely moves the loudness but makes the peaks a static gain alone
    would push over the ceiling."""
    noise = ("-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.5:seed=7:r=48000")
    graph = f"[0:a]volume={gain_db}dB[a]"
    if bursts:
        hit = "if(lt(mod(t,3),0.003),0.6*pow(sin(PI*mod(t,3)/0.003),2)*sin(2*PI*700*t),0)"
        noise += ("-f", "lavfi", "-i", f"aevalsrc='{hit}':s=48000")
        graph = f"[0:a]volume={gain_db}dB[n];[n][1:a]amix=inputs=2:normalize=0[a]"
    picture = len(noise) // 4
    return (
        *noise, "-f", "lavfi", "-i", f"{_FILL}:s=320x240:r=30", "-filter_complex", graph,
        "-map", f"{picture}:v", "-map", "[a]", "-t", "8", *H264, *AAC,
    )  # fmt: skip


LOUDNESS_KINDS: dict[str, Kind] = {
    "programme_loud": Kind("programme_loud", ".mkv", _pink(7.1, False), seconds=8),
    "commercial_quiet": Kind("commercial_quiet", ".mkv", _pink(-9.6, True), seconds=8),
}


class MediaMaker:
    """Makes each kind once into `folder` (a cache kept between runs)."""

    def __init__(self, ffmpeg: Ffmpeg, folder: Path) -> None:
        self._ffmpeg = ffmpeg
        self._folder = folder

    def path(self, kind: Kind) -> Path:
        digest = hashlib.sha1(repr(kind.args).encode()).hexdigest()[:10]
        target = self._folder / f"{kind.name}-{digest}{kind.suffix}"
        if not target.exists():
            srt = self._folder / "subtitles.srt"
            srt.write_text(SRT, encoding="utf-8")
            partial = target.with_name(f".partial-{target.name}")
            args = [str(srt) if a == "{srt}" else a for a in kind.args]
            self._ffmpeg.run([*args, str(partial)], timeout=600)
            partial.replace(target)
        return target
