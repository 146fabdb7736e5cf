"""Liveness for container and service managers: the bot records a heartbeat, `health` judges it.

The running bot writes the heartbeat into the database's ``meta`` table every minute while it is
connected; `dispute-desk health` (Docker's HEALTHCHECK) reads it from a separate process.
"""

from __future__ import annotations

from datetime import UTC, datetime

HEARTBEAT_KEY = "heartbeat"


def heartbeat_key(shard_ids: tuple[int, ...] | None) -> str:
    """Each process that runs a part of the shards beats on its own key (one database, several
    processes); a process that runs them all keeps the plain key."""
    if shard_ids is None:
        return HEARTBEAT_KEY
    return f"{HEARTBEAT_KEY}:shards {','.join(str(n) for n in shard_ids)}"

HEARTBEAT_EVERY_S = 60
# Three missed beats: the bot is stuck or disconnected, not merely busy.
STALE_AFTER_S = 3 * HEARTBEAT_EVERY_S


def parse_stored_time(text: str) -> datetime:
    """The ``updated_at`` SQLite writes (``2026-11-29T12:00:00.000Z``) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def heartbeat_verdict(updated_at: str | None, now: datetime) -> tuple[bool, str]:
    """(healthy, one line saying why) for the last heartbeat time, or None when there was none."""
    if updated_at is None:
        return False, "unhealthy: no heartbeat yet (the bot has not connected to Discord)"
    age = (now - parse_stored_time(updated_at)).total_seconds()
    if age > STALE_AFTER_S:
        return False, f"unhealthy: last heartbeat {age:.0f} s ago (more than {STALE_AFTER_S} s)"
    return True, f"healthy: last heartbeat {max(age, 0):.0f} s ago"
