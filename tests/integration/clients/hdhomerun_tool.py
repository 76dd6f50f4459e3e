"""Debian's hdhomerun_config (libhdhomerun) as the judge of HDHomeRun device ids."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
# The id the discovery tests serve; the client unit fakes use the same one.
STATION_DEVICE_ID = "1A2B3C46"


def need_tool(name: str) -> str:
    """The tool's path; skipped when missing locally, a failure under CI."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is required under CI (.ci/run installs it)")
        pytest.skip(f"{name} is not installed")
    return path


def accepted_ids(device_ids: Iterable[str]) -> dict[str, bool]:
    """Whether hdhomerun_config takes each id as a device id (True) or refuses it (False).

    `<id>-0` (tuner 0 of the device) makes the tool parse the text as a device id even when
    it is all decimal digits, which bare it would read as an address. An id it refuses it
    names at once ("invalid device id"); an id it takes it looks for on the network, where
    no device answers in a test ("unable to connect to device"). The runs go in parallel.
    """
    tool = need_tool("hdhomerun_config")
    runs = {
        device_id: subprocess.Popen(
            [tool, f"{device_id}-0", "get", "/sys/model"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for device_id in dict.fromkeys(device_ids)  # each id once, in order
    }
    verdicts = {}
    for device_id, run in runs.items():
        answer, _ = run.communicate(timeout=30)
        if f"invalid device id: {device_id}-0" in answer:
            verdicts[device_id] = False
        elif "unable to connect to device" in answer or run.returncode == 0:
            verdicts[device_id] = True
        else:
            raise AssertionError(f"hdhomerun_config said {answer!r} about {device_id}")
    return verdicts


def corrupted(device_id: str) -> str:
    """The id with its check nibble changed: every such id fails the checksum."""
    return f"{device_id[:-1]}{int(device_id[-1], 16) ^ 1:X}"
