"""Tiny real media for tests that need a playable file, made through the one ffmpeg adapter."""

from __future__ import annotations

from pathlib import Path

from retrovue.ffmpeg import Ffmpeg, resolve_ffmpeg


def make_clip(path: Path, seconds: float = 1.0, *, colour: str = "blue", tone: int = 440) -> Path:
    """A small h264 + aac Matroska clip of `seconds`; colour and tone make clips differ."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Ffmpeg(resolve_ffmpeg()).run(
        [
            *("-f", "lavfi", "-i", f"color=c={colour}:size=64x48:rate=10:duration={seconds}"),
            *("-f", "lavfi", "-i", f"sine=frequency={tone}:duration={seconds}"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
            *("-c:a", "aac", "-shortest", str(path)),
        ]
    )
    return path
