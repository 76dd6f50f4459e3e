"""ProgramDirector: the station-wide mode every channel obeys (normal, guide or emergency)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

from retrovue.errors import ConflictError, ValidationError

Mode = Literal["normal", "guide", "emergency"]
MODES: tuple[Mode, ...] = ("normal", "guide", "emergency")
DEFAULT_EMERGENCY_MESSAGE = "Emergency broadcast. Stand by."


@dataclass(frozen=True, slots=True)
class DirectorState:
    mode: Mode
    message: str | None
    version: int


class ProgramDirector:
    """Holds the global mode; channels poll `state` (a single atomic read) every packet."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = DirectorState("normal", None, 0)

    @property
    def state(self) -> DirectorState:
        return self._state

    def set_mode(self, mode: str, message: str | None = None) -> DirectorState:
        """Change the mode; emergency overrides guide, so guide is refused during one."""
        if mode not in MODES:
            raise ValidationError(f"mode must be one of {', '.join(MODES)}, not {mode!r}", "mode")
        with self._lock:
            if mode == "guide" and self._state.mode == "emergency":
                raise ConflictError("emergency mode is on: end it (mode normal) before the guide")
            if mode == "guide":
                self._state = DirectorState("guide", None, self._state.version + 1)
            elif mode == "emergency":
                text = (message or "").strip() or DEFAULT_EMERGENCY_MESSAGE
                self._state = DirectorState("emergency", text, self._state.version + 1)
            else:
                self._state = DirectorState("normal", None, self._state.version + 1)
            return self._state
