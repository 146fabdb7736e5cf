"""Key/value facts about this installation."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.database import NOW_SQL, Database


@dataclass(frozen=True)
class MetaEntry:
    key: str
    value: str
    updated_at: str


class MetaRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> MetaEntry | None:
        row = await self._db.fetch_one("SELECT key, value, updated_at FROM meta WHERE key = ?", (key,))
        return MetaEntry(row["key"], row["value"], row["updated_at"]) if row else None

    async def set(self, key: str, value: str) -> MetaEntry:
        row = await self._db.fetch_one(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            f"ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = {NOW_SQL} "
            "RETURNING key, value, updated_at",
            (key, value),
        )
        assert row is not None
        return MetaEntry(row["key"], row["value"], row["updated_at"])
