"""The crowd benchmark's CPU figure: the CPU time a bot process spent, per interaction."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmarks.stats import CpuMeter, cpu_seconds_of

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="no /proc to read CPU time from")

# Spends 0.3 s of its own CPU time, says so, then waits to be read (and stopped).
_BURN = (
    "import sys, time\n"
    "while time.process_time() < 0.3: pass\n"
    "print('spent', flush=True)\n"
    "sys.stdin.read()\n"
)


def test_cpu_per_interaction_counts_the_bot_process_own_time() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _BURN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        meter = CpuMeter([child.pid])
        assert child.stdout is not None and child.stdout.readline() == "spent\n"
        figures = meter.per_interaction_ms(100)
        # At least 0.3 s spent since the child started (a little before the meter started counting).
        assert figures["bot_ms"] is not None and 2.0 <= figures["bot_ms"] <= 4.0
        assert figures["driver_ms"] is not None and figures["driver_ms"] >= 0
    finally:
        child.kill()
        child.wait()
    assert cpu_seconds_of(child.pid) is None  # gone: nothing to read
