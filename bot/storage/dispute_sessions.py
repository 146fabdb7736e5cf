"""Wizard sessions of /dispute: saved after every answer so nothing is lost to a restart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from bot.errors import DisputeDeskError
from bot.storage.database import Database, Row, from_timestamp, to_timestamp

Status = Literal["active", "finished", "cancelled"]
_COLUMNS = "id, user_id, state, status, revision, created_at, updated_at"


class StaleSession(DisputeDeskError):
    """The session changed since it was read (a double click): reload and try again."""


@dataclass(frozen=True)
class StoredSession:
    id: int
    user_id: int
    state: dict[str, Any]
    status: Status
    revision: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CaseRow:
    """A case as /dispute cases lists it: the stored session and the result recorded when closing."""

    session: StoredSession
    result: str | None
    result_amount: str | None
    closed_at: datetime | None


def _session(row: Row) -> StoredSession:
    return StoredSession(
        id=row["id"],
        user_id=row["user_id"],
        state=json.loads(row["state"]),
        status=row["status"],
        revision=row["revision"],
        created_at=from_timestamp(row["created_at"]),
        updated_at=from_timestamp(row["updated_at"]),
    )


def _case(row: Row) -> CaseRow:
    closed_at = row["closed_at"]
    return CaseRow(_session(row), row["result"], row["result_amount"], from_timestamp(closed_at) if closed_at else None)


class DisputeSessionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self, user_id: int, state: dict[str, Any], now: datetime | None = None, *, guild_id: int | None = None
    ) -> StoredSession:
        stamp = to_timestamp(now or datetime.now(UTC))
        row = await self._db.fetch_one(
            "INSERT INTO dispute_sessions (user_id, state, created_at, updated_at, guild_id) VALUES (?, ?, ?, ?, ?) "
            f"RETURNING {_COLUMNS}",
            (user_id, json.dumps(state, sort_keys=True), stamp, stamp, guild_id),
        )
        assert row is not None
        return _session(row)

    async def revision(self, session_id: int) -> int | None:
        """The stored revision alone: whether a copy read earlier is still current."""
        row = await self._db.fetch_one("SELECT revision FROM dispute_sessions WHERE id = ?", (session_id,))
        return int(row[0]) if row else None

    async def get(self, session_id: int) -> StoredSession | None:
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM dispute_sessions WHERE id = ?", (session_id,))
        return _session(row) if row else None

    async def save(
        self,
        session: StoredSession,
        state: dict[str, Any],
        status: Status | None = None,
        now: datetime | None = None,
    ) -> StoredSession:
        """Write a new state if nobody saved since ``session`` was read; else raise StaleSession."""
        row = await self._db.fetch_one(
            "UPDATE dispute_sessions SET state = ?, status = ?, revision = revision + 1, updated_at = ? "
            f"WHERE id = ? AND revision = ? RETURNING {_COLUMNS}",
            (
                json.dumps(state, sort_keys=True),
                status or session.status,
                to_timestamp(now or datetime.now(UTC)),
                session.id,
                session.revision,
            ),
        )
        if row is None:
            raise StaleSession("That step was already answered (two clicks at once?). Showing the latest state.")
        return _session(row)

    async def latest_active(self, user_id: int) -> StoredSession | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM dispute_sessions WHERE user_id = ? AND status = 'active' "
            "ORDER BY updated_at DESC, id DESC LIMIT 1",
            (user_id,),
        )
        return _session(row) if row else None

    async def list_active(self, user_id: int, limit: int = 25) -> list[StoredSession]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM dispute_sessions WHERE user_id = ? AND status = 'active' "
            "ORDER BY updated_at DESC, id DESC LIMIT ?",
            (user_id, limit),
        )
        return [_session(row) for row in rows]

    async def last_started_at(self, user_id: int) -> datetime | None:
        row = await self._db.fetch_one("SELECT MAX(created_at) FROM dispute_sessions WHERE user_id = ?", (user_id,))
        return from_timestamp(row[0]) if row and row[0] else None

    async def list_cases(self, user_id: int, limit: int = 25) -> list[CaseRow]:
        """The user's cases, newest first, without those abandoned with the wizard's Close button."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS}, result, result_amount, closed_at FROM dispute_sessions "
            "WHERE user_id = ? AND status != 'cancelled' ORDER BY updated_at DESC, id DESC LIMIT ?",
            (user_id, limit),
        )
        return [_case(row) for row in rows]

    async def get_case(self, session_id: int, user_id: int) -> CaseRow | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS}, result, result_amount, closed_at FROM dispute_sessions "
            "WHERE id = ? AND user_id = ? AND status != 'cancelled'",
            (session_id, user_id),
        )
        return _case(row) if row else None

    async def set_result(
        self, session_id: int, user_id: int, result: str, amount: str | None, now: datetime
    ) -> bool:
        """Store the result with the case (the wizard's state and revision are left alone)."""
        stamp = to_timestamp(now)
        row = await self._db.fetch_one(
            "UPDATE dispute_sessions SET result = ?, result_amount = ?, closed_at = ?, updated_at = ? "
            "WHERE id = ? AND user_id = ? AND status != 'cancelled' RETURNING id",
            (result, amount, None if result == "still_open" else stamp, stamp, session_id, user_id),
        )
        return row is not None

    async def prompts_stopped(self, user_id: int) -> bool:
        row = await self._db.fetch_one("SELECT 1 FROM result_prompt_optouts WHERE user_id = ?", (user_id,))
        return row is not None

    async def schedule_result_prompt(
        self, kind: str, session_id: int, user_id: int, payload: dict[str, Any], due_at: datetime, now: datetime
    ) -> bool:
        """Add the case's job of ``kind`` (the "how did it end?" question) unless one was ever added
        for it or its user opted out; True when added. One statement: it runs on the step that
        shows the outcome, where three round trips were a third of the step's own waiting."""
        row = await self._db.fetch_one(
            "INSERT INTO scheduled_jobs (kind, payload, due_at, user_id, session_id, created_at) "
            "SELECT ?, ?, ?, ?, ?, ? "
            "WHERE NOT EXISTS (SELECT 1 FROM scheduled_jobs WHERE session_id = ? AND kind = ?) "
            "AND NOT EXISTS (SELECT 1 FROM result_prompt_optouts WHERE user_id = ?) RETURNING id",
            (kind, json.dumps(payload, sort_keys=True), to_timestamp(due_at), user_id, session_id, to_timestamp(now),
             session_id, kind, user_id),
        )  # fmt: skip
        return row is not None

    async def stop_prompts(self, user_id: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO result_prompt_optouts (user_id, created_at) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING",
            (user_id, to_timestamp(now)),
        )

    async def result_counts(self, guild_id: int) -> list[tuple[str, str, str, int]]:
        """(dispute type, platform, result, cases) for the cases started in ``guild_id`` that ended."""
        if self._db.dialect == "postgresql":
            answer = "state::jsonb #>> '{{engine,answers,{0}}}'"
        else:
            answer = "json_extract(state, '$.engine.answers.{0}')"
        rows = await self._db.fetch_all(
            f"SELECT {answer.format('dispute_type')} AS dispute_type, "
            f"{answer.format('platform')} AS platform, result, COUNT(*) AS cases "
            "FROM dispute_sessions WHERE guild_id = ? AND result IS NOT NULL AND result != 'still_open' "
            "AND status != 'cancelled' GROUP BY 1, 2, 3",
            (guild_id,),
        )
        return [(str(r["dispute_type"]), str(r["platform"]), str(r["result"]), int(r["cases"])) for r in rows]

    async def purge_closed(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Delete finished and cancelled cases untouched for ``older_than``; return how many went."""
        cutoff = to_timestamp((now or datetime.now(UTC)) - older_than)
        rows = await self._db.fetch_all(
            "DELETE FROM dispute_sessions WHERE status IN ('finished', 'cancelled') AND updated_at < ? RETURNING id",
            (cutoff,),
        )
        return len(rows)

    async def purge_unfinished(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Delete active sessions untouched for ``older_than``; return how many went."""
        cutoff = to_timestamp((now or datetime.now(UTC)) - older_than)
        rows = await self._db.fetch_all(
            "DELETE FROM dispute_sessions WHERE status = 'active' AND updated_at < ? RETURNING id", (cutoff,)
        )
        return len(rows)
