"""A channel's presentation options checked before they are written: languages, subtitles,
the station bug and the "Next:" caption."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from retrovue.domain.languages import UNDETERMINED, is_code, normalise
from retrovue.errors import ValidationError
from retrovue.schedule_manager.models import Channel

BUG_POSITIONS: Final = ("top-left", "top-right", "bottom-left", "bottom-right")
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
MAX_CAPTION_S: Final = 600
OPTIONS: Final = (
    "audio_language",
    "second_audio",
    "subtitles",
    "bug",
    "bug_position",
    "bug_opacity",
    "next_caption",
)


def _language(value: str, option: str) -> str:
    if not is_code(value):
        raise ValidationError(
            f"--{option.replace('_', '-')}: {value!r} is not an ISO 639 language code", option
        )
    return normalise(value) if value.strip().lower() != UNDETERMINED else UNDETERMINED


def _bug(value: str) -> str:
    path = Path(value).expanduser()
    try:
        with path.open("rb") as image:
            head = image.read(len(PNG_SIGNATURE))
    except OSError as error:
        raise ValidationError(
            f"--bug: cannot read {value}: {error.strerror or error}", "bug"
        ) from None
    if head != PNG_SIGNATURE:
        raise ValidationError(f"--bug: {value} is not a PNG image", "bug")
    return str(path.resolve())


def checked(changes: dict[str, Any]) -> dict[str, Any]:
    """Column values for the presentation options given (None: not given; "" clears)."""
    columns: dict[str, Any] = {}
    if changes.get("audio_language") is not None:
        codes = [c.strip() for c in changes["audio_language"].split(",") if c.strip()]
        columns["audio_language"] = ",".join(_language(c, "audio_language") for c in codes) or None
    if changes.get("second_audio") is not None:
        raw = changes["second_audio"].strip()
        columns["second_audio"] = _language(raw, "second_audio") if raw else None
        if columns["second_audio"] == UNDETERMINED:
            raise ValidationError("--second-audio needs a language, not 'und'", "second_audio")
    if changes.get("subtitles") is not None:
        mode = changes["subtitles"].strip().lower()
        columns["subtitles"] = mode if mode in ("off", "forced") else _language(mode, "subtitles")
    if changes.get("bug") is not None:
        columns["bug_path"] = _bug(changes["bug"]) if changes["bug"] else None
    if changes.get("bug_position") is not None:
        if changes["bug_position"] not in BUG_POSITIONS:
            raise ValidationError(
                f"--bug-position must be one of {', '.join(BUG_POSITIONS)}", "bug_position"
            )
        columns["bug_position"] = changes["bug_position"]
    if changes.get("bug_opacity") is not None:
        if not 0.0 <= changes["bug_opacity"] <= 1.0:
            raise ValidationError("--bug-opacity must be from 0 to 1", "bug_opacity")
        columns["bug_opacity"] = float(changes["bug_opacity"])
    if changes.get("next_caption") is not None:
        seconds = changes["next_caption"]
        if not 0 <= seconds <= MAX_CAPTION_S:
            raise ValidationError(
                f"--next-caption must be 0 (off) to {MAX_CAPTION_S} seconds", "next_caption"
            )
        columns["next_caption_s"] = seconds or None
    return columns


def apply(channel: Channel, changes: dict[str, Any]) -> None:
    for column, value in checked(changes).items():
        setattr(channel, column, value)


def presentation_view(channel: Channel) -> dict[str, Any]:
    return {
        "audio_language": channel.audio_language,
        "second_audio": channel.second_audio,
        "subtitles": channel.subtitles or "off",
        "bug": channel.bug_path,
        "bug_position": channel.bug_position or "bottom-right",
        "bug_opacity": 1.0 if channel.bug_opacity is None else channel.bug_opacity,
        "next_caption": channel.next_caption_s,
    }
