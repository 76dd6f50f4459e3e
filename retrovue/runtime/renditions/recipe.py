"""How a rendition is made: the live producer's own arguments for the whole file, and its key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from retrovue.fingerprint import fingerprint as take_fingerprint
from retrovue.runtime.item_shape import ItemShape, shape_item
from retrovue.runtime.producers import ProducerFactory
from retrovue.schedule_manager.airing import ScheduledItem

# Bumped whenever the way renditions are made or read changes, so every old one is unreachable.
RECIPE_VERSION: Final = "r2"
SOURCE: Final = "<source>"  # stands for the file in the arguments a key is taken from


@dataclass(frozen=True)
class Recipe:
    """Renditions are what the channel's file producer makes from offset 0, whole.

    `shape` None is a file nothing is known of (`ItemShape.plain`); an item's shape comes
    from `shape_of`, so the rendition is what its live producer would air.
    """

    producers: ProducerFactory

    def shape_of(self, item: ScheduledItem, has_audio: bool) -> ItemShape | None:
        """The shape `item` airs in (its facts, its channel's look), or None when part of
        what airs varies per airing (the "Next: TITLE" caption): such an item airs live."""
        shape = shape_item(
            item,
            0.0,
            has_audio,
            loudness_target=self.producers.loudness_target,
            second_track=self.producers.second_audio_track,
            caption_font=self.producers.font is not None,
        )
        return None if shape.caption is not None else shape

    def shaping(self, has_audio: bool, shape: ItemShape | None = None) -> list[str]:
        """The producer's arguments minus what varies per airing (the file, where it
        starts, how long it runs): everything that shapes the output."""
        return _whole(self.producers.file(SOURCE, 0.0, 0.0, has_audio, shape))

    def key(self, fingerprint: str, has_audio: bool, shape: ItemShape | None = None) -> str:
        """The name of the rendition of a file with `fingerprint`: a changed file, a changed
        setting or a changed side file (the bug, a subtitle file) gives another key, so an old
        rendition is never found for it. OSError when a side file is unreadable."""
        sides: list[str | None] = []
        if shape is not None:
            sides.append(None if shape.bug is None else shape.bug.path)
            sides.append(None if shape.subtitle is None else shape.subtitle.path)
        side_prints = [take_fingerprint(path) for path in sides if path]
        material = json.dumps(
            [RECIPE_VERSION, fingerprint, side_prints, self.shaping(has_audio, shape)]
        )
        return f"{RECIPE_VERSION}-{hashlib.sha256(material.encode()).hexdigest()[:32]}"

    def args(
        self,
        source: str,
        output: str,
        has_audio: bool,
        keyframes_s: Sequence[float] = (),
        shape: ItemShape | None = None,
    ) -> list[str]:
        """ffmpeg arguments writing the rendition of `source` to `output`, reporting progress
        on stdout; `keyframes_s` are positions (break points) that get a keyframe of their own."""
        args = _whole(self.producers.file(source, 0.0, 0.0, has_audio, shape))
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
