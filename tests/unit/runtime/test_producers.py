"""Card producers: text written whole, and a card without text when it cannot be written."""

from __future__ import annotations

from pathlib import Path

from retrovue.runtime.producers import ProducerFactory
from retrovue.runtime.profile import OutputProfile

FONT = Path("/fonts/Sans.ttf")  # only named in the filtergraph; ffmpeg is not run


def test_card_text_is_written_whole_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    factory = ProducerFactory(OutputProfile(), tmp_path / "cards", FONT)
    args = factory.card("slate", 5.0, ("Channel 1", "We'll be right back"))
    assert "drawtext" in " ".join(args)
    written = sorted(p.read_text(encoding="utf-8") for p in (tmp_path / "cards").iterdir())
    assert written == ["Channel 1", "We'll be right back"]


def test_a_card_whose_text_cannot_be_written_goes_without_text(tmp_path: Path) -> None:
    blocked = tmp_path / "cards"
    blocked.write_text("not a directory")  # as unwritable as a read-only data directory
    args = ProducerFactory(OutputProfile(), blocked, FONT).card("emergency", 5.0, ("EMERGENCY",))
    assert "drawtext" not in " ".join(args)
    assert "color=c=0x8b0000" in " ".join(args)
