"""PathResolver: a source's paths (Plex's view, a NAS mount) to where RetroVue opens them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def _normal(prefix: str) -> str:
    # A trailing separator must not decide whether '/media/tv' and '/media/tv/' match.
    return prefix.rstrip("/\\") or prefix[:1]


@dataclass(frozen=True)
class PathResolver:
    """Longest-prefix mapping; a path no mapping covers is used as it is.

    Prefixes match whole path components only, so `/media/tv` maps `/media/tv/x.mkv` but
    never `/media/tv2/x.mkv`.
    """

    mappings: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> PathResolver:
        normal = [(_normal(src), _normal(dst)) for src, dst in pairs]
        # Longest first, so the most specific mapping wins.
        return cls(tuple(sorted(normal, key=lambda pair: len(pair[0]), reverse=True)))

    def resolve(self, path: str) -> str:
        for src, dst in self.mappings:
            if path == src:
                return dst
            if path.startswith(src) and (src in ("/", "\\") or path[len(src)] in "/\\"):
                # Plex on Windows reports backslashes; RetroVue runs on POSIX paths.
                rest = path[len(src) :].lstrip("/\\").replace("\\", "/")
                return f"{dst.rstrip('/')}/{rest}"
        return path
