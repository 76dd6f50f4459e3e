"""Language tags as RetroVue keeps them: ISO 639-2/B three-letter codes, 'und' when unknown."""

from __future__ import annotations

from typing import Final

UNDETERMINED: Final = "und"

# Two-letter ISO 639-1 codes of the languages libraries most often carry, to 639-2/B.
FROM_639_1: Final[dict[str, str]] = {
    "ar": "ara", "bg": "bul", "bn": "ben", "ca": "cat", "cs": "cze", "cy": "wel", "da": "dan",
    "de": "ger", "el": "gre", "en": "eng", "es": "spa", "et": "est", "eu": "baq", "fa": "per",
    "fi": "fin", "fr": "fre", "ga": "gle", "gl": "glg", "he": "heb", "hi": "hin", "hr": "hrv",
    "hu": "hun", "hy": "arm", "id": "ind", "is": "ice", "it": "ita", "ja": "jpn", "ka": "geo",
    "ko": "kor", "lt": "lit", "lv": "lav", "mk": "mac", "ms": "may", "nl": "dut", "no": "nor",
    "nb": "nob", "nn": "nno", "pl": "pol", "pt": "por", "ro": "rum", "ru": "rus", "sk": "slo",
    "sl": "slv", "sq": "alb", "sr": "srp", "sv": "swe", "ta": "tam", "th": "tha", "tl": "tgl",
    "tr": "tur", "uk": "ukr", "ur": "urd", "vi": "vie", "zh": "chi",
}  # fmt: skip

# ISO 639-2 terminology codes that differ from the bibliographic ones.
FROM_639_2T: Final[dict[str, str]] = {
    "sqi": "alb", "hye": "arm", "eus": "baq", "mya": "bur", "zho": "chi", "ces": "cze",
    "nld": "dut", "fra": "fre", "kat": "geo", "deu": "ger", "ell": "gre", "isl": "ice",
    "mkd": "mac", "mri": "mao", "msa": "may", "fas": "per", "ron": "rum", "slk": "slo",
    "bod": "tib", "cym": "wel",
}  # fmt: skip


def normalise(tag: str | None) -> str:
    """A stream's or an operator's language tag as a 639-2/B code ('en-US' and 'deu' too).

    Anything that is not a two- or three-letter code (or its region-tagged form) is 'und'.
    """
    if not tag:
        return UNDETERMINED
    primary = tag.strip().lower().replace("_", "-").split("-")[0]
    if not primary.isascii() or not primary.isalpha():
        return UNDETERMINED
    if len(primary) == 2:
        return FROM_639_1.get(primary, UNDETERMINED)
    if len(primary) == 3:
        return FROM_639_2T.get(primary, primary)
    return UNDETERMINED


def is_code(tag: str) -> bool:
    """Whether an operator's tag names a language (or 'und'), in any accepted spelling."""
    primary = tag.strip().lower()
    return normalise(primary) != UNDETERMINED or primary == UNDETERMINED
