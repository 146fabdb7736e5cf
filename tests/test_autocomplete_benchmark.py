"""The autocomplete benchmark runs (small) and reports what ``make bench`` will print."""

from __future__ import annotations

import pytest

from tests.benchmarks import autocomplete


@pytest.mark.timeout(60)
async def test_benchmark_reports_search_and_round_trip() -> None:
    result = await autocomplete.run(templates=300, queries=20)
    assert result["templates"] == 300
    for key in ("search", "discord_round_trip"):
        timing = result[key]
        assert timing["n"] == 20 and 0 < timing["p50_ms"] <= timing["p95_ms"]
    assert 0 < result["discord_round_trip"]["max_choices"] <= 25
