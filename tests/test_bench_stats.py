"""The benchmarks' summaries: a run where every interaction failed is reported, not crashed on."""

from __future__ import annotations

import math

from tests.benchmarks.__main__ import verdict
from tests.benchmarks.stats import summary_ms


def test_an_empty_sample_reads_as_not_a_number_and_misses_every_target() -> None:
    # 2b's crowd in a server once lost every interaction on a noisy machine: the bench stopped on
    # "no median for empty data" instead of printing the failures.
    empty = summary_ms([])
    assert empty["n"] == 0 and all(math.isnan(empty[key]) for key in ("p50_ms", "p95_ms", "p99_ms"))
    assert verdict(empty["p50_ms"] / 1.0, 2.0).endswith("NOT met)")
