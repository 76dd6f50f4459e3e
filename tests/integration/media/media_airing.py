"""Airing a file the way the station does: through ProducerFactory.scheduled's own argv."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrovue.domain.probe import catalog_facts, probe
from retrovue.ffmpeg import Ffmpeg
from retrovue.places import find_font
from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import OutputProfile
from retrovue.schedule_manager.airing import Presentation, ScheduledItem

IN_CI = os.environ.get("CI", "").lower() == "true"
# Tests of sound and timing encode small pictures: what they check does not depend on size.
SMALL = OutputProfile(width=320, height=180)


@dataclass
class Airer:
    """Airs a file through the real producer argv (ProducerFactory.scheduled) into a .ts."""

    ffmpeg: Ffmpeg
    scratch: Path
    facts: dict[Path, dict[str, Any] | None] = field(default_factory=dict)

    def __call__(
        self,
        path: Path,
        *,
        seconds: float = 2.0,
        offset_s: float = 0.0,
        profile: OutputProfile = SMALL,
        look: Presentation = Presentation(),
        kind: str = "program",
        measured: bool = True,
        next_title: str | None = None,
        item_s: float | None = None,
        **factory: Any,
    ) -> Path:
        if path not in self.facts:
            self.facts[path] = catalog_facts(probe(str(path)).to_json())
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        item = ScheduledItem(
            event_id=1, channel_number=1, broadcast_day=start.date(), start_utc=start,
            end_utc=start + dt.timedelta(seconds=item_s or seconds), kind=kind, in_point_ms=0,
            program_group=0, asset_id=1, file_path=str(path), title=path.stem,
            canonical=True, available=True, media=self.facts[path] if measured else None,
            presentation=look, next_title=next_title,
        )  # fmt: skip
        producers = ProducerFactory(profile, self.scratch / "cards", find_font(), **factory)
        has_audio = bool((self.facts[path] or {}).get("audio"))
        args = producers.scheduled(item, offset_s, seconds, has_audio)
        out = self.scratch / f"{path.stem}-{len(list(self.scratch.glob('*.ts')))}.ts"
        assert args[-1] == "pipe:1"
        self.ffmpeg.run([*args[:-1], str(out)], timeout=600)
        return out
