"""A planning pass changes two settings of the whole process while it runs (the cyclic
collector, the interpreter's switch interval) and leaves both as it found them."""

from __future__ import annotations

import gc
import sys

import pytest

from retrovue.schedule_manager.schedule_orchestrator import (
    SWITCH_INTERVAL_S,
    collector_paused,
    quick_switches,
)


def test_a_pass_shortens_the_switch_interval_and_restores_it_even_when_it_fails() -> None:
    before = sys.getswitchinterval()
    assert before > SWITCH_INTERVAL_S
    with quick_switches():
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S)
        with quick_switches():  # a pass inside another leaves the setting to the outer one
            pass
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S)
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError), quick_switches():
        raise RuntimeError("planning failed")
    assert sys.getswitchinterval() == before


def test_a_pass_pauses_the_collector_and_restores_it_even_when_it_fails() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("planning failed")
    assert gc.isenabled()
