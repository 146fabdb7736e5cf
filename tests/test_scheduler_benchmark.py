"""The scheduler benchmark's counts, on small sizes: one claim query per tick, whatever is waiting."""

from __future__ import annotations

from tests.benchmarks import scheduler


async def test_statements_per_tick_do_not_grow_with_the_jobs_waiting() -> None:
    small = await scheduler.measure(50, ticks=5)
    large = await scheduler.measure(5_000, ticks=5)
    for figures in (small, large):
        assert figures["claim_queries_per_tick"] == 1
        assert figures["statements_per_idle_tick"] == 1  # the claim alone
    assert large["statements_per_busy_tick"] == small["statements_per_busy_tick"]
