"""A server's Dispute Desk settings (/settings): curator role, what members may do, feedback channel."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, Literal

from bot.storage.database import Database, to_timestamp

ChannelKind = Literal["forum", "text"]


@dataclass(frozen=True)
class ServerSettings:
    guild_id: int
    curator_role_id: int | None = None
    allow_post_here: bool = True
    allow_share: bool = True
    feedback_channel_id: int | None = None
    feedback_channel_kind: ChannelKind | None = None
    default_platform: str | None = None
    currency: str | None = None


_EDITABLE = tuple(f.name for f in fields(ServerSettings) if f.name != "guild_id")


class ServerSettingsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, guild_id: int) -> ServerSettings:
        """The server's settings; the defaults when none were ever set."""
        row = await self._db.fetch_one(
            f"SELECT guild_id, {', '.join(_EDITABLE)} FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        if row is None:
            return ServerSettings(guild_id)
        values: dict[str, Any] = {key: row[key] for key in ("guild_id", *_EDITABLE)}
        values["allow_post_here"] = bool(values["allow_post_here"])
        values["allow_share"] = bool(values["allow_share"])
        return ServerSettings(**values)

    async def update(self, guild_id: int, *, updated_by: int, now: datetime, **changes: Any) -> ServerSettings:
        """Change the named settings (None clears one) and keep the others."""
        unknown = set(changes) - set(_EDITABLE)
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        merged = replace(await self.get(guild_id), **changes)
        values = [getattr(merged, name) for name in _EDITABLE]
        values = [int(v) if isinstance(v, bool) else v for v in values]
        columns = ", ".join(_EDITABLE)
        placeholders = ", ".join("?" for _ in _EDITABLE)
        assignments = ", ".join(f"{name} = excluded.{name}" for name in (*_EDITABLE, "updated_by", "updated_at"))
        await self._db.execute(
            f"INSERT INTO guild_settings (guild_id, {columns}, updated_by, updated_at) "
            f"VALUES (?, {placeholders}, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET {assignments}",
            (guild_id, *values, updated_by, to_timestamp(now)),
        )
        return merged
