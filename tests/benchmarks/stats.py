"""Percentiles and the process figures every section reports."""

from __future__ import annotations

import math
import os
import resource
import statistics
from collections.abc import Sequence
from pathlib import Path


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` in 0..1) of a non-empty sample."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """Median, p95 and p99 of a sample of durations, in milliseconds; NaN for an empty sample (a run
    where every interaction failed is reported with its failures, not ended by this)."""
    if not seconds:
        return {"n": 0, "p50_ms": math.nan, "p95_ms": math.nan, "p99_ms": math.nan}
    return {
        "n": len(seconds),
        "p50_ms": round(statistics.median(seconds) * 1000, 3),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 3),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 3),
    }


def peak_rss_mb_of(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of a live process, in MiB; None where /proc is absent."""
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def cpu_seconds_of(pid: int) -> float | None:
    """User plus system CPU time a live process has used so far; None where /proc is absent."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """User plus system CPU time this process (the fake Discord and the crowd) has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """CPU time per interaction of the bot processes and of this one, over a stretch of a run.

    On a small machine the crowd and the fake Discord share the cores with the bot; a bot's figure
    of interactions a second is then partly the driver's. CPU time per interaction is the bot's own.
    """

    def __init__(self, pids: Sequence[int]) -> None:
        self.pids = list(pids)
        self._bots = self._bot_seconds()
        self._own = own_cpu_seconds()

    def _bot_seconds(self) -> float | None:
        spent = [cpu_seconds_of(pid) for pid in self.pids]
        return None if any(s is None for s in spent) else sum(s for s in spent if s is not None)

    def per_interaction_ms(self, interactions: int) -> dict[str, float | None]:
        bots, own = self._bot_seconds(), own_cpu_seconds()
        count = max(interactions, 1)
        return {
            "bot_ms": None if bots is None or self._bots is None else round((bots - self._bots) * 1000 / count, 2),
            "driver_ms": round((own - self._own) * 1000 / count, 2),
        }


def own_peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
