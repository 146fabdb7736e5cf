"""The scheduler on real SQLite: atomic claims across connections, back-off, leases, purge, plan."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.scheduler import FINISHED_RETENTION, LEASE, MAX_ATTEMPTS, Scheduler, retry_delay
from bot.storage import Database
from bot.storage.scheduled_jobs import Job, JobRepository

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


async def add_jobs(jobs: JobRepository, count: int, due: datetime = NOW, kind: str = "ping") -> list[Job]:
    return [await jobs.add(kind, {"n": n}, due - timedelta(seconds=n), user_id=7, now=NOW) for n in range(count)]


async def test_two_connections_claiming_at_once_each_get_distinct_jobs(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    async with await Database.open(path) as first, await Database.open(path) as second:
        await first.migrate()
        one, two = JobRepository(first), JobRepository(second)
        added = await add_jobs(one, 200)

        async def drain(jobs: JobRepository, worker: str) -> list[int]:
            taken: list[int] = []
            while batch := await jobs.claim(worker, NOW, lease=LEASE, limit=7, kinds=("ping",)):
                taken += [job.id for job in batch]
                await asyncio.sleep(0)  # let the other connection's claim interleave
            return taken

        a, b = await asyncio.gather(drain(one, "a"), drain(two, "b"))
    # How the claims interleave depends on the machine (one may even drain everything); what must
    # hold every time is that no job is claimed twice and none is left.
    assert sorted(a + b) == sorted(job.id for job in added)  # every job once, none twice
    assert not set(a) & set(b)


async def test_two_schedulers_on_two_connections_run_each_job_once(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    runs: list[tuple[str, int]] = []
    async with await Database.open(path) as first, await Database.open(path) as second:
        await first.migrate()
        pairs = ((first, "a"), (second, "b"))
        schedulers = [Scheduler(JobRepository(db), lambda: NOW, worker=name) for db, name in pairs]
        for scheduler in schedulers:

            async def handler(job: Job, now: datetime, name: str = scheduler.worker) -> None:
                runs.append((name, job.id))
                await asyncio.sleep(0)

            scheduler.register("ping", handler)
        added = await add_jobs(schedulers[0].jobs, 120)
        for _ in range(4):
            await asyncio.gather(*(s.tick() for s in schedulers))
    assert sorted(job_id for _, job_id in runs) == sorted(job.id for job in added)
    assert {name for name, _ in runs} == {"a", "b"}


async def test_a_failing_handler_is_retried_later_with_back_off_and_an_error_id(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = JobRepository(db)
    scheduler = Scheduler(jobs, lambda: NOW, worker="w")
    calls: list[datetime] = []

    async def flaky(job: Job, now: datetime) -> None:
        calls.append(now)
        if len(calls) < 3:
            raise RuntimeError("Discord is down")

    scheduler.register("ping", flaky)
    (job,) = await add_jobs(jobs, 1)
    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        first = await scheduler.tick(NOW)
    assert (first.claimed, first.retried) == (1, 1)
    stored = await jobs.get(job.id)
    assert stored is not None and stored.state == "pending" and stored.attempts == 1
    assert stored.due_at == NOW + retry_delay(1) == NOW + timedelta(minutes=1)
    error_id = stored.last_error.split()[0] if stored.last_error else ""
    assert len(error_id) == 8 and error_id in caplog.text and "RuntimeError" in stored.last_error
    # Not due again before its back-off: nothing runs.
    assert (await scheduler.tick(NOW + timedelta(seconds=59))).claimed == 0
    second = await scheduler.tick(NOW + timedelta(minutes=1))
    assert second.retried == 1
    stored = await jobs.get(job.id)
    assert stored is not None and stored.due_at == NOW + timedelta(minutes=1) + retry_delay(2)
    assert retry_delay(2) == timedelta(minutes=2)  # doubled
    third = await scheduler.tick(NOW + timedelta(minutes=3))
    assert third.done == 1
    stored = await jobs.get(job.id)
    assert stored is not None and stored.state == "done" and stored.attempts == 3
    assert calls == [NOW, NOW + timedelta(minutes=1), NOW + timedelta(minutes=3)]


async def test_a_job_that_keeps_failing_is_kept_as_failed_not_lost(db: Database) -> None:
    jobs = JobRepository(db)
    scheduler = Scheduler(jobs, lambda: NOW, worker="w")

    async def broken(job: Job, now: datetime) -> None:
        raise ValueError("never works")

    scheduler.register("ping", broken)
    (job,) = await add_jobs(jobs, 1)
    moment = NOW
    for _ in range(MAX_ATTEMPTS):
        await scheduler.tick(moment)
        moment += retry_delay(MAX_ATTEMPTS)
    stored = await jobs.get(job.id)
    assert stored is not None and stored.state == "failed" and stored.attempts == MAX_ATTEMPTS
    assert (await scheduler.tick(moment + timedelta(days=1))).claimed == 0


async def test_a_claim_whose_process_died_is_taken_again_after_its_lease(db: Database) -> None:
    jobs = JobRepository(db)
    (job,) = await add_jobs(jobs, 1)
    (taken,) = await jobs.claim("dead", NOW, lease=LEASE, limit=5, kinds=("ping",))
    assert await jobs.claim("alive", NOW + LEASE - timedelta(seconds=1), lease=LEASE, limit=5, kinds=("ping",)) == []
    (again,) = await jobs.claim("alive", NOW + LEASE + timedelta(seconds=1), lease=LEASE, limit=5, kinds=("ping",))
    assert again.id == taken.id == job.id and again.attempts == 2
    assert not await jobs.finish(taken, "dead", NOW)  # the dead worker's late answer changes nothing
    assert await jobs.finish(again, "alive", NOW)


async def test_only_registered_kinds_are_claimed(db: Database) -> None:
    jobs = JobRepository(db)
    await add_jobs(jobs, 2, kind="other")
    scheduler = Scheduler(jobs, lambda: NOW, worker="w")
    scheduler.register("ping", lambda job, now: asyncio.sleep(0))
    assert (await scheduler.tick()).claimed == 0
    assert await jobs.count_pending() == 2


async def test_finished_jobs_are_purged_after_their_retention(db: Database) -> None:
    jobs = JobRepository(db)
    scheduler = Scheduler(jobs, lambda: NOW, worker="w")
    scheduler.register("ping", lambda job, now: asyncio.sleep(0))
    await add_jobs(jobs, 3)
    assert (await scheduler.tick(NOW)).done == 3
    assert await jobs.purge_finished(FINISHED_RETENTION, NOW + FINISHED_RETENTION - timedelta(minutes=1)) == 0
    assert await jobs.purge_finished(FINISHED_RETENTION, NOW + FINISHED_RETENTION + timedelta(minutes=1)) == 3


async def test_the_claim_reads_the_due_index(sqlite_db: Database) -> None:
    plan = await sqlite_db.fetch_all(
        "EXPLAIN QUERY PLAN SELECT id FROM scheduled_jobs INDEXED BY scheduled_jobs_due WHERE state = 'pending' "
        "AND due_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) AND kind IN ('a') ORDER BY due_at LIMIT 5",
        ("x", "x"),
    )
    details = " ".join(str(row["detail"]) for row in plan)
    assert "USING INDEX scheduled_jobs_due (due_at<?)" in details and "TEMP B-TREE" not in details
