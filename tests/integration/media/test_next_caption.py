"""The "Next: TITLE" caption over a programme's last seconds, read back by OCR."""

from __future__ import annotations

from pathlib import Path

import pytest
from air_oracles import bottom_text
from media_airing import Airer
from media_kinds import KINDS, MediaMaker

from retrovue.runtime.profile import OutputProfile
from retrovue.schedule_manager.airing import Presentation

pytestmark = pytest.mark.slow

CHANNEL = OutputProfile()


def test_the_next_caption_names_the_next_programme_in_the_last_seconds_only(
    media: MediaMaker, air: Airer, tmp_path: Path
) -> None:
    source = media.path(KINDS["anamorphic_480p_16x9"])
    look = Presentation(next_caption_s=1)
    aired = air(source, profile=CHANNEL, seconds=3.0, item_s=3.0, look=look, next_title="LATE SHOW")
    assert "Next: LATE SHOW" in bottom_text(aired, 2.5, tmp_path)
    assert "Next" not in bottom_text(aired, 1.0, tmp_path)
