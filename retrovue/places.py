"""Where RetroVue's files are: the data directory, the default database, the font for text.

A top-level module that imports nothing of ours, so every layer finds the same places.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

FONT_CANDIDATES: Final = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf",
    "/Library/Fonts/Arial.ttf",
    "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)


def _xdg_data_home(env: Mapping[str, str]) -> Path:
    return Path(env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")).expanduser()


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where generated files live: RETROVUE_DATA_DIR, else $XDG_DATA_HOME/retrovue."""
    env = os.environ if environ is None else environ
    if env.get("RETROVUE_DATA_DIR"):
        return Path(env["RETROVUE_DATA_DIR"]).expanduser()
    return _xdg_data_home(env) / "retrovue"


def default_database_url(environ: Mapping[str, str] | None = None) -> str:
    """RETROVUE_DATABASE_URL, else SQLite at $XDG_DATA_HOME/retrovue/retrovue.db (station.md)."""
    env = os.environ if environ is None else environ
    if env.get("RETROVUE_DATABASE_URL"):
        return env["RETROVUE_DATABASE_URL"]
    return f"sqlite:///{_xdg_data_home(env) / 'retrovue' / 'retrovue.db'}"


def find_font(candidates: tuple[str, ...] = FONT_CANDIDATES) -> Path | None:
    """The first readable font file; text goes undrawn when there is none."""
    return next((Path(c) for c in candidates if Path(c).is_file()), None)
