"""How a rendition is made: the live producer's own arguments for the whole file, and its key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from retrovue.runtime.producers import ProducerFactory

# Bumped whenever the way renditions are made or read changes, so every old one is unreachable.
RECIPE_VERSION: Final = "r1"
SOURCE: Final = "<source>"  # stands for the file in the arguments a key is taken from


@dataclass(frozen=True)
class Recipe:
    """Renditions are what the channel's file producer makes from offset 0, whole."""

    producers: ProducerFactory

    def shaping(self, has_audio: bool) -> list[str]:
        """The producer's arguments minus what varies per airing (the file, where it
        starts, how long it runs): everything that shapes the output."""
        return _whole(self.producers.file(SOURCE, 0.0, 0.0, has_audio))

    def key(self, fingerprint: str, has_audio: bool) -> str:
        """The name of the rendition of a file with `fingerprint`: a changed file or a changed
        setting gives another key, so an old rendition is never found for it."""
        material = json.dumps([RECIPE_VERSION, fingerprint, self.shaping(has_audio)])
        return f"{RECIPE_VERSION}-{hashlib.sha256(material.encode()).hexdigest()[:32]}"

    def args(
        self, source: str, output: str, has_audio: bool, keyframes_s: Sequence[float] = ()
    ) -> list[str]:
        """ffmpeg arguments writing the rendition of `source` to `output`, reporting progress
        on stdout; `keyframes_s` are positions (break points) that get a keyframe of their own."""
        args = _whole(self.producers.file(source, 0.0, 0.0, has_audio))
        if args[-1] != "pipe:1":
            raise ValueError("the file producer no longer writes to stdout")
        forced = sorted({round(s, 3) for s in keyframes_s if s > 0})
        extra = ["-force_key_frames", ",".join(f"{s:.3f}" for s in forced)] if forced else []
        return ["-progress", "pipe:1", "-nostats", *args[:-1], *extra, output]


def _whole(args: list[str]) -> list[str]:
    """`args` without the duration limit: the rendition is the whole file."""
    if "-t" not in args:
        return list(args)
    at = args.index("-t")
    return args[:at] + args[at + 2 :]
