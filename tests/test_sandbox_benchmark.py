"""The sandbox benchmark runs and reports what ``make bench`` will print."""

from __future__ import annotations

import pytest

from tests.benchmarks import sandbox_render


@pytest.mark.timeout(30)
def test_benchmark_reports_median_and_p95() -> None:
    result = sandbox_render.run(5)
    for key in ("raw_jinja2", "sandbox_in_process", "sandbox_pool"):
        timing = result[key]
        assert isinstance(timing, dict)
        assert 0 < timing["median_ms"] <= timing["p95_ms"]
    assert isinstance(result["pool_start_ms"], float)
