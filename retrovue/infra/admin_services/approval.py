"""What an operator's approval of a file rests on: playable media, as the library last read it.

Every approval (a promotion, `catalog update --canonical`, `asset add/update --path`) stores
the fingerprint of the file approved; runtime airs slate for a file that no longer matches it,
and a sync that finds it changed takes the row off air.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from retrovue.domain import qc
from retrovue.domain.models import MediaItem
from retrovue.domain.probe import ProbeResult, probe
from retrovue.errors import MediaError, ValidationError
from retrovue.fingerprint import fingerprint

# Probes a file an operator names directly and refuses what is not playable media.
MediaCheck = Callable[[str], ProbeResult]


def check_playable(path: str) -> ProbeResult:
    """The file's probe, if it holds a picture of known length (the library's hard QC flags)."""
    result = probe(path)
    hard = qc.blocks_canonical(list(qc.check(result)), operator_approved=True)
    if hard:
        raise ValidationError(f"{path} is not playable media: {qc.describe(hard)}", "path")
    return result


def approved_fingerprint(path: str) -> str:
    """The fingerprint an approval stores; a file that cannot be read cannot be approved."""
    try:
        return fingerprint(path)
    except OSError as error:
        raise MediaError(f"cannot read {path}: {error.strerror or error}") from None


def current_fingerprint(path: str) -> str | None:
    """The file's fingerprint now, or None when it cannot be read."""
    try:
        return fingerprint(path)
    except OSError:
        return None


def check_as_synced(item: MediaItem, path: str) -> None:
    """Refuse to approve a file that changed since the library read it (its length and
    markers would be the old file's). Only a file the library itself stat'ed can be compared:
    an unmapped filesystem item (Plex reports no mtime, a mapped path is another view)."""
    if not item.mtime_ns or Path(path) != Path(item.path):
        return
    try:
        stat = os.stat(path)
    except OSError as error:
        raise MediaError(f"cannot read {path}: {error.strerror or error}") from None
    if (stat.st_size, stat.st_mtime_ns) != (item.size, item.mtime_ns):
        raise ValidationError(
            f"{path} changed since its source was last synced; sync it again, then approve it",
            "path",
        )
