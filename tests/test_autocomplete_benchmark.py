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


@pytest.mark.timeout(120)
async def test_server_library_benchmark_compares_with_personal_only_search() -> None:
    from tests.benchmarks import server_library

    result = await server_library.run(personal=300, servers=20, per_server=2, library=50, queries=10)
    for key in ("personal_only", "with_server"):
        assert result[key]["n"] == 10 and 0 < result[key]["p50_ms"] <= result[key]["p95_ms"]
    assert result["ratio_p50"] > 0 and result["target_ratio"] == 1.2
