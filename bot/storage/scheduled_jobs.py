"""Scheduled jobs: rows with a due time, claimed atomically so that each runs once.

A claim is one ``UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING``: SQLite runs a write
statement under the database's single write lock, so when two processes (or two connections) claim
at the same moment, the second sees the first one's claim and skips those rows; on PostgreSQL the
rows are locked with ``FOR UPDATE SKIP LOCKED``, with the same effect. A claim carries a
lease (``claimed_until``): a process that dies while running a job leaves a claim that expires,
and the job is claimed again, so it is never lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.storage.database import Database, Row, from_timestamp, to_timestamp

JobState = Literal["pending", "done", "failed", "cancelled"]
_COLUMNS = (
    "id, kind, payload, due_at, user_id, session_id, state, attempts, claimed_by, claimed_until, "
    "last_error, created_at, finished_at"
)


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    payload: dict[str, Any]
    due_at: datetime
    user_id: int | None
    session_id: int | None
    state: JobState
    attempts: int
    claimed_by: str | None = None
    claimed_until: datetime | None = None
    last_error: str | None = None
    finished_at: datetime | None = None


def _job(row: Row) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        due_at=from_timestamp(row["due_at"]),
        user_id=row["user_id"],
        session_id=row["session_id"],
        state=row["state"],
        attempts=row["attempts"],
        claimed_by=row["claimed_by"],
        claimed_until=from_timestamp(row["claimed_until"]) if row["claimed_until"] else None,
        last_error=row["last_error"],
        finished_at=from_timestamp(row["finished_at"]) if row["finished_at"] else None,
    )


class JobRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        #: Statements run by :meth:`claim` since creation (the benchmark checks it stays one per tick).
        self.claim_queries = 0

    async def add(
        self,
        kind: str,
        payload: dict[str, Any],
        due_at: datetime,
        *,
        user_id: int | None = None,
        session_id: int | None = None,
        now: datetime,
    ) -> Job:
        row = await self._db.fetch_one(
            "INSERT INTO scheduled_jobs (kind, payload, due_at, user_id, session_id, created_at) "
            f"VALUES (?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
            (kind, json.dumps(payload, sort_keys=True), to_timestamp(due_at), user_id, session_id,
             to_timestamp(now)),
        )  # fmt: skip
        assert row is not None
        return _job(row)

    async def get(self, job_id: int) -> Job | None:
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM scheduled_jobs WHERE id = ?", (job_id,))
        return _job(row) if row else None

    async def claim(
        self, worker: str, now: datetime, *, lease: timedelta, limit: int, kinds: tuple[str, ...]
    ) -> list[Job]:
        """Claim up to ``limit`` due jobs of ``kinds`` for ``worker``, in one statement; return them.

        A job is claimable when it is pending, due, and unclaimed or its lease has run out. Each
        claim counts as an attempt, so a job whose process died mid-run is retried, not lost.
        """
        if not kinds or limit <= 0:
            return []
        stamp = to_timestamp(now)
        marks = ", ".join("?" for _ in kinds)
        self.claim_queries += 1
        # PostgreSQL: rows another process is claiming right now are skipped, not waited for.
        hint, skip = ("", " FOR UPDATE SKIP LOCKED") if self._db.dialect == "postgresql" else (
            " INDEXED BY scheduled_jobs_due", "")
        rows = await self._db.fetch_all(
            "UPDATE scheduled_jobs SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1 "
            f"WHERE id IN (SELECT id FROM scheduled_jobs{hint} "
            "WHERE state = 'pending' AND due_at <= ? "
            "AND (claimed_until IS NULL OR claimed_until < ?) "
            f"AND kind IN ({marks}) ORDER BY due_at LIMIT ?{skip}) "
            f"RETURNING {_COLUMNS}",
            (worker, to_timestamp(now + lease), stamp, stamp, *kinds, limit),
        )
        return sorted((_job(row) for row in rows), key=lambda job: (job.due_at, job.id))

    async def finish(self, job: Job, worker: str, now: datetime, state: JobState = "done") -> bool:
        """Mark a claimed job finished (``claimed_by`` stays: which process ran it); False when the
        claim was lost (its lease ran out and another worker took it), in which case nothing changes."""
        row = await self._db.fetch_one(
            "UPDATE scheduled_jobs SET state = ?, finished_at = ?, claimed_until = NULL "
            "WHERE id = ? AND claimed_by = ? AND state = 'pending' RETURNING id",
            (state, to_timestamp(now), job.id, worker),
        )
        return row is not None

    async def retry_later(self, job: Job, worker: str, due_at: datetime, error: str) -> bool:
        """Give a failed job back, due again at ``due_at``; it keeps its attempts count."""
        row = await self._db.fetch_one(
            "UPDATE scheduled_jobs SET due_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL "
            "WHERE id = ? AND claimed_by = ? AND state = 'pending' RETURNING id",
            (to_timestamp(due_at), error, job.id, worker),
        )
        return row is not None

    async def give_up(self, job: Job, worker: str, now: datetime, error: str) -> bool:
        """Keep the job, marked failed, for the operator to see (``db export`` / the log's error id)."""
        row = await self._db.fetch_one(
            "UPDATE scheduled_jobs SET state = 'failed', last_error = ?, finished_at = ?, claimed_by = NULL, "
            "claimed_until = NULL WHERE id = ? AND claimed_by = ? AND state = 'pending' RETURNING id",
            (error, to_timestamp(now), job.id, worker),
        )
        return row is not None

    async def cancel(self, job_id: int, user_id: int, now: datetime) -> Job | None:
        """Cancel a pending job of ``user_id``; None when there is no such pending job."""
        row = await self._db.fetch_one(
            "UPDATE scheduled_jobs SET state = 'cancelled', finished_at = ? "
            f"WHERE id = ? AND user_id = ? AND state = 'pending' RETURNING {_COLUMNS}",
            (to_timestamp(now), job_id, user_id),
        )
        return _job(row) if row else None

    async def pending_for_user(self, user_id: int, kind: str, session_id: int | None = None) -> list[Job]:
        sql = f"SELECT {_COLUMNS} FROM scheduled_jobs WHERE user_id = ? AND kind = ? AND state = 'pending'"
        params: list[Any] = [user_id, kind]
        if session_id is not None:
            sql += " AND session_id = ?"
            params.append(session_id)
        rows = await self._db.fetch_all(sql + " ORDER BY due_at, id", params)
        return [_job(row) for row in rows]

    async def count_pending(self) -> int:
        row = await self._db.fetch_one("SELECT COUNT(*) FROM scheduled_jobs WHERE state = 'pending'")
        return int(row[0]) if row else 0

    async def purge_finished(self, older_than: timedelta, now: datetime) -> int:
        """Delete done, failed and cancelled jobs finished more than ``older_than`` ago."""
        rows = await self._db.fetch_all(
            "DELETE FROM scheduled_jobs WHERE finished_at IS NOT NULL AND finished_at < ? RETURNING id",
            (to_timestamp(now - older_than),),
        )
        return len(rows)
