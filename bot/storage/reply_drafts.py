"""Quick replies in progress, saved after every step so buttons and forms survive a restart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from bot.storage.database import Database, Row, from_timestamp, to_timestamp

DraftKind = Literal["fill", "pick", "author"]
_COLUMNS = "id, user_id, kind, state, created_at, updated_at"


@dataclass(frozen=True)
class StoredDraft:
    id: int
    user_id: int
    kind: DraftKind
    state: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def _draft(row: Row) -> StoredDraft:
    return StoredDraft(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        state=json.loads(row["state"]),
        created_at=from_timestamp(row["created_at"]),
        updated_at=from_timestamp(row["updated_at"]),
    )


class ReplyDraftRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self, user_id: int, kind: DraftKind, state: dict[str, Any], now: datetime | None = None
    ) -> StoredDraft:
        stamp = to_timestamp(now or datetime.now(UTC))
        row = await self._db.fetch_one(
            "INSERT INTO reply_drafts (user_id, kind, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?) "
            f"RETURNING {_COLUMNS}",
            (user_id, kind, json.dumps(state, sort_keys=True), stamp, stamp),
        )
        assert row is not None
        return _draft(row)

    async def get(self, draft_id: int) -> StoredDraft | None:
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM reply_drafts WHERE id = ?", (draft_id,))
        return _draft(row) if row else None

    async def save(self, draft_id: int, state: dict[str, Any], now: datetime | None = None) -> StoredDraft | None:
        """Replace the state; None when the draft is gone (purged or deleted)."""
        row = await self._db.fetch_one(
            f"UPDATE reply_drafts SET state = ?, updated_at = ? WHERE id = ? RETURNING {_COLUMNS}",
            (json.dumps(state, sort_keys=True), to_timestamp(now or datetime.now(UTC)), draft_id),
        )
        return _draft(row) if row else None

    async def set_flag(self, draft_id: int, key: str, value: bool, now: datetime | None = None) -> bool:
        """Set ``state[key]`` to ``value`` unless it already is; True when this call changed it.

        One statement, so of two clicks at once exactly one wins (e.g. posting a reply once).
        """
        stamp = to_timestamp(now or datetime.now(UTC))
        if self._db.dialect == "postgresql":
            row = await self._db.fetch_one(
                "UPDATE reply_drafts SET updated_at = ?, "
                "state = jsonb_set(state::jsonb, ARRAY[?::text], to_jsonb(?::boolean))::text WHERE id = ? "
                "AND COALESCE(state::jsonb -> ?::text, 'false'::jsonb) IS DISTINCT FROM to_jsonb(?::boolean) "
                "RETURNING id",
                (stamp, key, value, draft_id, key, value),
            )
        else:
            row = await self._db.fetch_one(
                "UPDATE reply_drafts SET state = json_set(state, '$.' || ?, json(?)), updated_at = ? "
                "WHERE id = ? AND COALESCE(json_extract(state, '$.' || ?), 0) != ? RETURNING id",
                (key, "true" if value else "false", stamp, draft_id, key, int(value)),
            )
        return row is not None

    async def delete(self, draft_id: int) -> bool:
        row = await self._db.fetch_one("DELETE FROM reply_drafts WHERE id = ? RETURNING id", (draft_id,))
        return row is not None

    async def purge(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Delete drafts untouched for ``older_than``; return how many went."""
        cutoff = to_timestamp((now or datetime.now(UTC)) - older_than)
        rows = await self._db.fetch_all("DELETE FROM reply_drafts WHERE updated_at < ? RETURNING id", (cutoff,))
        return len(rows)
