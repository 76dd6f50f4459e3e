"""A media file's fingerprint: what it was when an operator approved it.

Size, modification time and a hash of the file's head and tail: cheap to take on air (two
small reads), and a file replaced at the same path, truncated or rewritten no longer matches.
A top-level module that imports nothing of ours: the library takes it at ingest and
promotion, runtime compares it before an item airs.
"""

from __future__ import annotations

import hashlib
import os
from typing import Final

VERSION: Final = "f1"
EDGE_BYTES: Final = 64 * 1024


def fingerprint(path: str | os.PathLike[str]) -> str:
    """`f1:<size>:<mtime ns>:<sha256 of head and tail, 32 hex>`; OSError when unreadable."""
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        digest = hashlib.sha256(handle.read(EDGE_BYTES))
        if stat.st_size > EDGE_BYTES:
            handle.seek(max(stat.st_size - EDGE_BYTES, EDGE_BYTES))
            digest.update(handle.read(EDGE_BYTES))
    return f"{VERSION}:{stat.st_size}:{stat.st_mtime_ns}:{digest.hexdigest()[:32]}"
