"""The one exception hierarchy of RetroVue, with operator-facing messages.

A top-level module that imports nothing, so every layer may raise and catch the same errors;
the CLI maps them to exit codes (`cli/app.py`) and the station to HTTP statuses
(`runtime/web.py`), each in one table.
"""

from __future__ import annotations

from collections.abc import Sequence


class RetroVueError(Exception):
    """Root of every error an operator or a client may be shown."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(RetroVueError):
    """Input that breaks a rule; `field` names what was wrong when one thing was."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(RetroVueError):
    """A named thing (channel, template, asset, source) does not exist."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!s} not found")
        self.kind = kind
        self.key = key


class ConflictError(RetroVueError):
    """The change collides with what already exists (a taken number, a duplicate name)."""


class DatabaseError(RetroVueError):
    """The database could not be reached or refused the work."""


class MediaError(RetroVueError):
    """A media file could not be read, probed or played."""


class SourceError(RetroVueError):
    """A library source (a folder, a Plex server) could not be read."""


class PromotionError(ValidationError):
    """A library item cannot be promoted as asked; the message says why and what to do."""


class RuleError(ValidationError):
    """A rule_json that is not valid version 1."""


class FfmpegError(MediaError):
    """An ffmpeg run that failed; carries the command and the end of its stderr."""

    def __init__(self, message: str, command: Sequence[str], stderr_tail: str = "") -> None:
        detail = f": {stderr_tail.strip().splitlines()[-1]}" if stderr_tail.strip() else ""
        super().__init__(f"{message}{detail}")
        self.command = list(command)
        self.stderr_tail = stderr_tail


class TunerBusyError(RetroVueError):
    """Every tuner is in use: a new channel may not go live (HTTP 503)."""


class UnauthorizedError(RetroVueError):
    """A request without the credentials it needs (HTTP 401)."""


class ForbiddenError(RetroVueError):
    """A request for something this station does not allow at all (HTTP 403)."""


class RetryLaterError(RetroVueError):
    """Not now: the thing asked for is starting, or the station is shedding load (HTTP 503).

    `retry_after_s` is how long a client should wait before asking again.
    """

    def __init__(self, message: str, retry_after_s: int = 1) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ListenError(RetroVueError):
    """The station cannot listen where it was told to: a taken or a privileged port."""


class FrameError(ValidationError):
    """A discovery datagram that is not a well-formed HDHomeRun frame (it is dropped)."""
