"""The scheduler: due jobs from the database, run once each, retried with back-off, never lost.

Discord-free. Features register a handler per job kind (``scheduler.register("reminder", fn)``);
the bot runs :meth:`Scheduler.run` as a task. Each tick claims the due jobs in one statement (see
:class:`~bot.storage.scheduled_jobs.JobRepository`), runs their handlers, and marks them done. A
handler that raises is retried later (the wait doubles from ``RETRY_FIRST`` up to ``RETRY_MAX``) and
logged with an error id; after ``MAX_ATTEMPTS`` the job is kept as ``failed`` for the operator.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.error_ids import new_error_id
from bot.storage.scheduled_jobs import Job, JobRepository

log = logging.getLogger(__name__)

# A handler returns None when the job is done, or DROPPED when it had nothing left to do (e.g. a
# reminder whose deadline passed while the bot was down): the job is then kept as 'cancelled'.
Handler = Callable[[Job, datetime], Awaitable[str | None]]
DROPPED = "dropped"

TICK_SECONDS = 5.0
CLAIM_LIMIT = 50
LEASE = timedelta(minutes=5)
RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 8
FINISHED_RETENTION = timedelta(days=7)
PURGE_EVERY = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next attempt after ``attempts`` failed ones: 1, 2, 4 ... 60 minutes."""
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)


@dataclass(frozen=True)
class TickReport:
    claimed: int
    done: int
    retried: int
    failed: int


class Scheduler:
    def __init__(self, jobs: JobRepository, clock: Callable[[], datetime], worker: str | None = None) -> None:
        self.jobs = jobs
        self.clock = clock
        self.worker = worker or f"{os.getpid()}-{secrets.token_hex(3)}"
        self.handlers: dict[str, Handler] = {}
        self.claim_limit = CLAIM_LIMIT
        self.ticks = 0
        self._wake = asyncio.Event()
        self._next_purge: datetime | None = None
        self._stopping = False
        #: Set after every tick (tests and the benchmark wait on it instead of sleeping).
        self.ticked = asyncio.Condition()

    # -- wiring ----------------------------------------------------------------------------------
    def register(self, kind: str, handler: Handler) -> None:
        if kind in self.handlers:
            raise ValueError(f"a handler for {kind!r} jobs is already registered")
        self.handlers[kind] = handler

    def unregister(self, kind: str) -> None:
        self.handlers.pop(kind, None)

    def stop(self) -> None:
        """Let :meth:`run` finish the tick in progress (a DM half sent is not cut) and return."""
        self._stopping = True
        self._wake.set()

    def wake(self) -> None:
        """Run a tick now (a job due soon was just added)."""
        self._wake.set()

    # -- one tick --------------------------------------------------------------------------------
    async def tick(self, now: datetime | None = None) -> TickReport:
        """Claim the jobs due at ``now`` and run them; returns what happened."""
        now = now or self.clock()
        claimed = await self.jobs.claim(
            self.worker, now, lease=LEASE, limit=self.claim_limit, kinds=tuple(sorted(self.handlers))
        )
        done = retried = failed = 0
        for job in claimed:
            outcome = await self._run(job, now)
            done += outcome == "done"
            retried += outcome == "retried"
            failed += outcome == "failed"
        await self._purge(now)
        self.ticks += 1
        async with self.ticked:
            self.ticked.notify_all()
        return TickReport(len(claimed), done, retried, failed)

    async def _run(self, job: Job, now: datetime) -> str:
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:  # unregistered between claim and run: give it back untouched
                raise LookupError(f"no handler for {job.kind!r}")
            result = await handler(job, now)
        except Exception as exc:
            error_id = new_error_id()
            error = f"{error_id} {type(exc).__name__}"
            if job.attempts >= MAX_ATTEMPTS:
                log.error(
                    "job %s (%s) failed %d times, kept as failed; error %s",
                    job.id, job.kind, job.attempts, error_id, exc_info=exc,
                )  # fmt: skip
                await self.jobs.give_up(job, self.worker, now, error)
                return "failed"
            again = now + retry_delay(job.attempts)
            log.error(
                "job %s (%s) failed (attempt %d), retrying at %s; error %s",
                job.id, job.kind, job.attempts, again.isoformat(timespec="seconds"), error_id, exc_info=exc,
            )  # fmt: skip
            await self.jobs.retry_later(job, self.worker, again, error)
            return "retried"
        if result == DROPPED:
            await self.jobs.finish(job, self.worker, now, state="cancelled")
            return "dropped"
        await self.jobs.finish(job, self.worker, now)
        return "done"

    async def _purge(self, now: datetime) -> None:
        if self._next_purge is not None and now < self._next_purge:
            return
        self._next_purge = now + PURGE_EVERY
        removed = await self.jobs.purge_finished(FINISHED_RETENTION, now)
        if removed:
            log.info("purged %d finished scheduled jobs", removed)

    # -- the runner ------------------------------------------------------------------------------
    async def run(self, every: float = TICK_SECONDS) -> None:
        """Tick now and then every ``every`` seconds (or sooner when woken) until :meth:`stop`.

        A tick that claimed a full batch is followed by another at once (a backlog after downtime
        drains without waiting). A tick that fails (the database is busy or gone) is logged and
        the loop goes on.
        """
        while not self._stopping:
            self._wake.clear()
            full = False
            try:
                report = await self.tick()
                full = report.claimed >= self.claim_limit
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduler tick failed (error %s); trying again next tick", new_error_id())
            if self._stopping:
                break
            if full:
                await asyncio.sleep(0)  # let interactions in between batches
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), every)
