"""The one adapter every ffmpeg spawn goes through: argv lists, stdin closed, stderr tail kept."""

from __future__ import annotations

import collections
import contextlib
import os
import shlex
import shutil
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO

from retrovue.errors import FfmpegError

STDERR_TAIL_LINES = 20


def resolve_ffmpeg(environ: Mapping[str, str] | None = None) -> str:
    """RETROVUE_FFMPEG, else `ffmpeg` on PATH, else the imageio-ffmpeg wheel's binary."""
    env = os.environ if environ is None else environ
    configured = env.get("RETROVUE_FFMPEG")
    if configured:
        found = shutil.which(configured)
        if found is None:
            raise FfmpegError(f"RETROVUE_FFMPEG names no runnable binary: {configured}", [])
        return found
    on_path = shutil.which("ffmpeg")
    if on_path is not None:
        return on_path
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as error:
        raise FfmpegError("no ffmpeg: set RETROVUE_FFMPEG or install ffmpeg", []) from error


class FfmpegProcess:
    """A running ffmpeg whose stdout is a pipe; `close()` terminates and reaps it."""

    def __init__(self, popen: subprocess.Popen[bytes], command: Sequence[str]) -> None:
        self._popen = popen
        self.command = list(command)
        self._tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
        self._stderr_reader = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_reader.start()

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def stdout(self) -> IO[bytes]:
        assert self._popen.stdout is not None
        return self._popen.stdout

    @property
    def stderr_tail(self) -> str:
        return "\n".join(self._tail)

    def poll(self) -> int | None:
        return self._popen.poll()

    def _drain_stderr(self) -> None:
        stream = self._popen.stderr
        assert stream is not None
        for raw in stream:
            self._tail.append(raw.decode("utf-8", "replace").rstrip())

    def error(self, message: str) -> FfmpegError:
        return FfmpegError(message, self.command, self.stderr_tail)

    def terminate(self, timeout: float = 2.0) -> int:
        """End the process (SIGTERM, then SIGKILL) and reap it; its pipes stay open."""
        if self._popen.poll() is None:
            self._popen.terminate()
            try:
                self._popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self._popen.kill()
        return self._popen.wait()

    def close(self, timeout: float = 2.0) -> int:
        """Terminate and reap the process, then close its pipes; returns its exit code."""
        code = self.terminate(timeout)
        self._stderr_reader.join(timeout)
        for stream in (self._popen.stdout, self._popen.stderr):
            if stream is not None:
                stream.close()
        return code


@dataclass(frozen=True)
class Ffmpeg:
    """Spawns ffmpeg with one binary and the flags every run shares."""

    binary: str

    def _argv(self, args: Sequence[str]) -> list[str]:
        return [self.binary, "-hide_banner", "-nostdin", "-loglevel", "error", *args]

    def spawn(self, args: Sequence[str], nice: int | None = None) -> FfmpegProcess:
        """Start ffmpeg writing to its stdout pipe; `nice` (0-19) lowers its priority."""
        argv = self._argv(args)
        _check_nice(nice)
        try:
            popen = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except OSError as error:
            raise FfmpegError(f"cannot start ffmpeg: {error}", argv) from error
        _lower(popen, nice)
        return FfmpegProcess(popen, argv)

    def run(self, args: Sequence[str], timeout: float = 120.0) -> str:
        """Run ffmpeg to completion (files it writes, analyses it prints) and return its stderr.

        It may overwrite its outputs (they are always ours); a non-zero exit raises FfmpegError
        with the stderr tail, a run past `timeout` seconds is killed and raises naming it.
        """
        argv = self._argv(["-y", *args])
        try:
            done = subprocess.run(
                argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise FfmpegError(
                f"ffmpeg ran over {timeout:g} s and was stopped: {shlex.join(argv)}", argv
            ) from None
        except OSError as error:
            raise FfmpegError(f"cannot run {self.binary}: {error}", argv) from error
        if done.returncode != 0:
            tail = "\n".join(
                done.stderr.decode("utf-8", "replace").splitlines()[-STDERR_TAIL_LINES:]
            )
            raise FfmpegError(f"ffmpeg exited with {done.returncode}", argv, tail)
        return done.stderr.decode("utf-8", "replace")


def _check_nice(nice: int | None) -> None:
    if nice is not None and not 0 <= nice <= 19:
        raise ValueError(f"niceness must be 0-19, not {nice}")


def _lower(popen: subprocess.Popen[bytes], nice: int | None) -> None:
    """Give a just-started ffmpeg the niceness `nice`.

    Set from outside rather than in the child between fork and exec, where running Python in
    a threaded parent may deadlock. ffmpeg starts its worker threads (which inherit the
    value) only once its inputs are open, well after this call.
    """
    if nice is None:
        return
    with contextlib.suppress(ProcessLookupError):  # it already exited: nothing to lower
        os.setpriority(os.PRIO_PROCESS, popen.pid, nice)
