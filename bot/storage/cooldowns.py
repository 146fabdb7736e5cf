"""Per-user rate limits kept in the database: a token bucket per (limit, user) that every bot process shares.

``bot.ratelimit.Cooldown`` counts in one process's memory; with several processes a user whose clicks
reach two of them would get the burst twice. Here the read and the write of a bucket are one
transaction under a lock on that bucket (SQLite's write lock; an advisory lock on PostgreSQL), so
concurrent actions in any processes are counted one after the other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage.database import Database, from_timestamp, to_timestamp


def refill(tokens: float, then: datetime, now: datetime, burst: int, every_s: float) -> float:
    """Tokens after the time since ``then``: one more every ``every_s`` seconds, at most ``burst``."""
    elapsed = max((now - then).total_seconds(), 0.0)
    return min(float(burst), tokens + elapsed / every_s)


class CooldownRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def take(self, name: str, user_id: int, *, burst: int, every_s: float, now: datetime) -> float:
        """0 when ``user_id`` may act now (and the action is counted), else the seconds to wait."""
        async with self._db.transaction(lock=f"cooldown:{name}:{user_id}") as tx:
            row = await tx.fetch_one(
                "SELECT tokens, counted_at FROM cooldowns WHERE name = ? AND user_id = ?", (name, user_id)
            )
            tokens = float(burst) if row is None else refill(
                float(row["tokens"]), from_timestamp(row["counted_at"]), now, burst, every_s)  # fmt: skip
            wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) * every_s
            await tx.execute(
                "INSERT INTO cooldowns (name, user_id, tokens, counted_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name, user_id) DO UPDATE SET tokens = excluded.tokens, counted_at = excluded.counted_at",
                (name, user_id, tokens - 1.0 if wait == 0.0 else tokens, to_timestamp(now)),
            )
        return wait

    async def retry_after(self, name: str, user_id: int, *, burst: int, every_s: float, now: datetime) -> float:
        """The seconds ``user_id`` would have to wait now (0: may act), without counting an action."""
        row = await self._db.fetch_one(
            "SELECT tokens, counted_at FROM cooldowns WHERE name = ? AND user_id = ?", (name, user_id)
        )
        if row is None:
            return 0.0
        tokens = refill(float(row["tokens"]), from_timestamp(row["counted_at"]), now, burst, every_s)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) * every_s

    async def purge(self, older_than: timedelta, now: datetime) -> int:
        """Forget buckets untouched for ``older_than`` (longer than any refill: they are full again)."""
        rows = await self._db.fetch_all(
            "DELETE FROM cooldowns WHERE counted_at < ? RETURNING name", (to_timestamp(now - older_than),)
        )
        return len(rows)
