"""Benchmark: the scheduler's cost per tick with 1,000 vs 100,000 jobs waiting in the database.

``run(small, large, ticks)`` returns figures and prints nothing; `make bench` reports them. For
each size, a fresh database holds that many pending reminders spread over the next 30 days; each
tick then finds a few jobs due (added just before it) and runs them with a no-op handler, or finds
none (an idle tick). Statements are counted with SQLite's trace callback, so "one claim query per
tick" is measured, not assumed. The target is a ratio within the run: large vs small.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.scheduler import Scheduler
from bot.storage import Database
from bot.storage.database import to_timestamp
from bot.storage.scheduled_jobs import Job, JobRepository

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
DUE_PER_TICK = 5
TARGET_RATIO = 1.5


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def _fill(db: Database, count: int) -> None:
    rows = [
        ("reminder", "{}", to_timestamp(NOW + timedelta(seconds=60 + (n * 30 * 86400) // count)), 1000 + n % 500)
        for n in range(count)
    ]
    async with db.transaction() as connection:
        await connection.executemany(
            "INSERT INTO scheduled_jobs (kind, payload, due_at, user_id) VALUES (?, ?, ?, ?)", rows
        )


async def measure(size: int, ticks: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        async with await Database.open(Path(folder) / "bench.sqlite3") as db:
            await db.migrate()
            await _fill(db, size)
            statements: list[str] = []
            await db.connection.set_trace_callback(statements.append)
            jobs = JobRepository(db)
            scheduler = Scheduler(jobs, lambda: NOW, worker="bench")

            async def handler(job: Job, now: datetime) -> None:
                return None

            scheduler.register("reminder", handler)
            await scheduler.tick(NOW - timedelta(hours=1, seconds=1))  # the hourly purge, outside the timing
            busy: list[float] = []
            idle: list[float] = []
            busy_statements: list[int] = []
            idle_statements: list[int] = []
            claim_statements: list[int] = []
            for n in range(ticks):
                moment = NOW - timedelta(hours=1) + timedelta(seconds=n)
                for _ in range(DUE_PER_TICK):
                    await jobs.add("reminder", {}, moment - timedelta(seconds=1), user_id=1, now=moment)
                for samples, counts in ((busy, busy_statements), (idle, idle_statements)):
                    statements.clear()
                    claims_before = jobs.claim_queries
                    start = time.perf_counter()
                    report = await scheduler.tick(moment)
                    samples.append(time.perf_counter() - start)
                    counts.append(len(statements))
                    claim_statements.append(jobs.claim_queries - claims_before)
                    assert report.claimed == (DUE_PER_TICK if samples is busy else 0)
            await db.connection.set_trace_callback(None)
            assert await jobs.count_pending() == size
    return {
        "jobs_waiting": size,
        "ticks": ticks,
        "busy_tick": {"p50_ms": statistics.median(busy) * 1000, "p95_ms": _percentile(busy, 0.95) * 1000},
        "idle_tick": {"p50_ms": statistics.median(idle) * 1000, "p95_ms": _percentile(idle, 0.95) * 1000},
        "statements_per_busy_tick": max(busy_statements),
        "statements_per_idle_tick": max(idle_statements),
        "claim_queries_per_tick": max(claim_statements),
    }


async def run(small: int = 1_000, large: int = 100_000, ticks: int = 300) -> dict[str, Any]:
    low = await measure(small, ticks)
    high = await measure(large, ticks)
    return {
        "name": "scheduler",
        "due_per_tick": DUE_PER_TICK,
        "small": low,
        "large": high,
        "busy_ratio_p50": high["busy_tick"]["p50_ms"] / low["busy_tick"]["p50_ms"],
        "idle_ratio_p50": high["idle_tick"]["p50_ms"] / low["idle_tick"]["p50_ms"],
        "target_ratio": TARGET_RATIO,
    }


if __name__ == "__main__":
    print(asyncio.run(run()))
