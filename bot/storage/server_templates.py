"""Server template libraries in SQLite: versioned saves, history, suggestions and usage counts.

A server template is a ``reply_templates`` row with ``scope = 'guild'`` and ``owner_id`` the server.
Every change also writes a ``template_versions`` row. A save names the version it started from; the
update only happens while the row is still at that version (one compare-and-set statement), so of two
curators saving at once exactly one wins and the other gets :class:`VersionConflict` — no version is
ever lost, whichever connection or process the saves come from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from bot.errors import DisputeDeskError
from bot.storage.database import INTEGRITY_ERRORS, Database, Row, to_timestamp
from bot.storage.reply_templates import StoredTemplate, TemplateNameTaken, TemplateRecord, template_from_row

VersionAction = Literal["create", "edit", "rollback", "delete", "import", "suggestion"]
SuggestionStatus = Literal["pending", "approved", "rejected"]
_COLUMNS = "id, scope, owner_id, name, title, category, description, body, variables, quarantined, version"


class VersionConflict(DisputeDeskError):
    """The template changed since the editor opened it: the later save must merge or overwrite."""

    def __init__(self, name: str, expected: int, current: int) -> None:
        self.name, self.expected, self.current = name, expected, current
        super().__init__(
            f"`{name}` was changed by someone else while you edited it (you started from version {expected}; "
            f"it is now at version {current}). Nothing of yours was saved: merge your change into version "
            f"{current} or overwrite it."
        )


class ServerTemplateGone(DisputeDeskError):
    def __init__(self, name: str = "") -> None:
        super().__init__(f"The server template {f'`{name}` ' if name else ''}was deleted meanwhile.")


class ServerNameTaken(TemplateNameTaken):
    def __init__(self, name: str) -> None:
        super().__init__(name, "This server already has")


@dataclass(frozen=True)
class ServerTemplate:
    """A server template and the version it is at."""

    template: StoredTemplate
    version: int

    @property
    def id(self) -> int:
        return self.template.id

    @property
    def name(self) -> str:
        return self.template.name


@dataclass(frozen=True)
class TemplateVersion:
    template_id: int
    version: int
    guild_id: int
    action: VersionAction
    author_id: int
    name: str
    title: str
    category: str
    body: str
    created_at: str


@dataclass(frozen=True)
class Suggestion:
    id: int
    guild_id: int
    suggester_id: int
    template_id: int | None
    base_version: int | None
    name: str
    title: str
    category: str
    body: str
    status: SuggestionStatus
    reason: str | None
    decided_by: int | None
    decided_at: str | None
    created_at: str


@dataclass(frozen=True)
class UsageCounts:
    template_id: int
    name: str
    last_7_days: int
    last_30_days: int
    all_time: int
    #: The last day it was used (YYYY-MM-DD), None when never.
    last_used: str | None


def _stored(row: Row) -> ServerTemplate:
    return ServerTemplate(template_from_row(row), int(row["version"]))


def _version(row: Row) -> TemplateVersion:
    return TemplateVersion(**{key: row[key] for key in row.keys()})  # noqa: SIM118 - a database row


def _suggestion(row: Row) -> Suggestion:
    return Suggestion(**{key: row[key] for key in row.keys() if key != "notified"})  # noqa: SIM118 - a database row


def _record_params(record: TemplateRecord) -> tuple[Any, ...]:
    return (
        record.name,
        record.title,
        record.category,
        record.description,
        record.body,
        json.dumps(list(record.variables), sort_keys=True),
    )


class ServerTemplateRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- templates -------------------------------------------------------------------------------
    async def get(self, guild_id: int, template_id: int) -> ServerTemplate | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM reply_templates WHERE id = ? AND scope = 'guild' AND owner_id = ?",
            (template_id, guild_id),
        )
        return _stored(row) if row else None

    async def find(self, guild_id: int, name: str) -> ServerTemplate | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM reply_templates WHERE scope = 'guild' AND owner_id = ? AND name = ?",
            (guild_id, name),
        )
        return _stored(row) if row else None

    async def list_all(self, guild_id: int, category: str | None = None) -> list[ServerTemplate]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM reply_templates WHERE scope = 'guild' AND owner_id = ? "
            "AND (CAST(? AS TEXT) IS NULL OR category = ?) ORDER BY category, name",
            (guild_id, category, category),
        )
        return [_stored(row) for row in rows]

    async def count(self, guild_id: int) -> int:
        row = await self._db.fetch_one(
            "SELECT count(*) FROM reply_templates WHERE scope = 'guild' AND owner_id = ?", (guild_id,)
        )
        return int(row[0]) if row else 0

    async def create(
        self,
        guild_id: int,
        record: TemplateRecord,
        *,
        author_id: int,
        cap: int,
        now: datetime,
        action: VersionAction = "create",
    ) -> ServerTemplate | None:
        """Insert version 1 while the server has fewer than ``cap`` templates; None when it has not.

        The count and the insert are one statement, so racing saves cannot pass the cap.
        """
        try:
            row = await self._db.fetch_one(
                "INSERT INTO reply_templates (scope, owner_id, name, title, category, description, body, variables, "
                "version, created_at, updated_at) SELECT 'guild', ?, ?, ?, ?, ?, ?, ?, 1, ?, ? WHERE (SELECT count(*) "
                f"FROM reply_templates WHERE scope = 'guild' AND owner_id = ?) < ? RETURNING {_COLUMNS}",
                (guild_id, *_record_params(record), to_timestamp(now), to_timestamp(now), guild_id, cap),
            )
        except INTEGRITY_ERRORS:
            raise ServerNameTaken(record.name) from None
        if row is None:
            return None
        saved = _stored(row)
        await self._add_version(saved, guild_id, action, author_id, now)
        return saved

    async def save(
        self,
        guild_id: int,
        template_id: int,
        record: TemplateRecord,
        *,
        base_version: int,
        author_id: int,
        now: datetime,
        action: VersionAction = "edit",
    ) -> ServerTemplate:
        """Write ``record`` as the next version, only if the template is still at ``base_version``."""
        try:
            row = await self._db.fetch_one(
                "UPDATE reply_templates SET name = ?, title = ?, category = ?, description = ?, body = ?, "
                "variables = ?, quarantined = NULL, version = version + 1, updated_at = ? "
                f"WHERE id = ? AND scope = 'guild' AND owner_id = ? AND version = ? RETURNING {_COLUMNS}",
                (*_record_params(record), to_timestamp(now), template_id, guild_id, base_version),
            )
        except INTEGRITY_ERRORS:
            raise ServerNameTaken(record.name) from None
        if row is None:
            current = await self.get(guild_id, template_id)
            if current is None:
                raise ServerTemplateGone(record.name)
            raise VersionConflict(current.name, base_version, current.version)
        saved = _stored(row)
        await self._add_version(saved, guild_id, action, author_id, now)
        return saved

    async def delete(
        self, guild_id: int, template_id: int, *, base_version: int, author_id: int, now: datetime
    ) -> ServerTemplate:
        """Delete it if still at ``base_version``; its history stays, ending with a 'delete' version."""
        row = await self._db.fetch_one(
            "DELETE FROM reply_templates WHERE id = ? AND scope = 'guild' AND owner_id = ? AND version = ? "
            f"RETURNING {_COLUMNS}",
            (template_id, guild_id, base_version),
        )
        if row is None:
            current = await self.get(guild_id, template_id)
            if current is None:
                raise ServerTemplateGone()
            raise VersionConflict(current.name, base_version, current.version)
        gone = _stored(row)
        await self._add_version(ServerTemplate(gone.template, gone.version + 1), guild_id, "delete", author_id, now)
        return gone

    async def _add_version(
        self, saved: ServerTemplate, guild_id: int, action: VersionAction, author_id: int, now: datetime
    ) -> None:
        t = saved.template
        await self._db.execute(
            "INSERT INTO template_versions (template_id, version, guild_id, action, author_id, name, title, "
            "category, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (t.id, saved.version, guild_id, action, author_id, t.name, t.title, t.category, t.body, to_timestamp(now)),
        )

    # -- history ---------------------------------------------------------------------------------
    async def history(self, guild_id: int, template_id: int) -> list[TemplateVersion]:
        rows = await self._db.fetch_all(
            "SELECT * FROM template_versions WHERE guild_id = ? AND template_id = ? ORDER BY version",
            (guild_id, template_id),
        )
        return [_version(row) for row in rows]

    async def version(self, guild_id: int, template_id: int, version: int) -> TemplateVersion | None:
        row = await self._db.fetch_one(
            "SELECT * FROM template_versions WHERE guild_id = ? AND template_id = ? AND version = ?",
            (guild_id, template_id, version),
        )
        return _version(row) if row else None

    # -- suggestions -----------------------------------------------------------------------------
    async def add_suggestion(
        self,
        guild_id: int,
        suggester_id: int,
        record: TemplateRecord,
        *,
        template_id: int | None,
        base_version: int | None,
        now: datetime,
    ) -> Suggestion:
        row = await self._db.fetch_one(
            "INSERT INTO template_suggestions (guild_id, suggester_id, template_id, base_version, name, title, "
            "category, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
            (guild_id, suggester_id, template_id, base_version, record.name, record.title, record.category,
             record.body, to_timestamp(now)),
        )  # fmt: skip
        assert row is not None
        return _suggestion(row)

    async def suggestion(self, guild_id: int, suggestion_id: int) -> Suggestion | None:
        row = await self._db.fetch_one(
            "SELECT * FROM template_suggestions WHERE id = ? AND guild_id = ?", (suggestion_id, guild_id)
        )
        return _suggestion(row) if row else None

    async def pending(self, guild_id: int, limit: int = 25) -> list[Suggestion]:
        rows = await self._db.fetch_all(
            "SELECT * FROM template_suggestions WHERE guild_id = ? AND status = 'pending' ORDER BY id LIMIT ?",
            (guild_id, limit),
        )
        return [_suggestion(row) for row in rows]

    async def count_pending(self, guild_id: int, suggester_id: int | None = None) -> int:
        row = await self._db.fetch_one(
            "SELECT count(*) FROM template_suggestions WHERE guild_id = ? AND status = 'pending' "
            "AND (CAST(? AS BIGINT) IS NULL OR suggester_id = ?)",
            (guild_id, suggester_id, suggester_id),
        )
        return int(row[0]) if row else 0

    async def decide(
        self,
        guild_id: int,
        suggestion_id: int,
        status: SuggestionStatus,
        *,
        reason: str | None,
        curator_id: int,
        now: datetime,
    ) -> Suggestion | None:
        """Mark a pending suggestion decided; None when it was decided already (two curators clicked)."""
        row = await self._db.fetch_one(
            "UPDATE template_suggestions SET status = ?, reason = ?, decided_by = ?, decided_at = ? "
            "WHERE id = ? AND guild_id = ? AND status = 'pending' RETURNING *",
            (status, reason, curator_id, to_timestamp(now), suggestion_id, guild_id),
        )
        return _suggestion(row) if row else None

    async def reopen(self, guild_id: int, suggestion_id: int) -> None:
        """Approving failed after the suggestion was marked: put it back in the queue."""
        await self._db.execute(
            "UPDATE template_suggestions SET status = 'pending', reason = NULL, decided_by = NULL, "
            "decided_at = NULL WHERE id = ? AND guild_id = ?",
            (suggestion_id, guild_id),
        )

    async def take_outcomes(self, suggester_id: int) -> list[Suggestion]:
        """Decided suggestions the suggester has not been told about, marked told (each once)."""
        rows = await self._db.fetch_all(
            "UPDATE template_suggestions SET notified = 1 WHERE suggester_id = ? AND status != 'pending' "
            "AND notified = 0 RETURNING *",
            (suggester_id,),
        )
        return sorted((_suggestion(row) for row in rows), key=lambda s: s.id)

    async def mark_told(self, suggestion_id: int, *, told: bool = True) -> None:
        """The suggester was told (by DM): not again on their next command (``told=False``: again)."""
        await self._db.execute(
            "UPDATE template_suggestions SET notified = ? WHERE id = ?", (1 if told else 0, suggestion_id)
        )

    # -- usage -----------------------------------------------------------------------------------
    async def usage(self, guild_id: int, now: datetime) -> list[UsageCounts]:
        """Uses of every template of the server over 7 days, 30 days and all time, most used first."""
        today = now.astimezone(UTC).date()
        rows = await self._db.fetch_all(
            "SELECT t.id, t.name, "
            "COALESCE(SUM(CASE WHEN d.day > ? THEN d.uses ELSE 0 END), 0) AS week, "
            "COALESCE(SUM(CASE WHEN d.day > ? THEN d.uses ELSE 0 END), 0) AS month, "
            "COALESCE(SUM(d.uses), 0) AS total, MAX(d.day) AS last_used "
            "FROM reply_templates t LEFT JOIN template_daily_uses d ON d.template_id = t.id "
            "WHERE t.scope = 'guild' AND t.owner_id = ? GROUP BY t.id, t.name "
            "ORDER BY month DESC, total DESC, t.name",
            ((today - timedelta(days=7)).isoformat(), (today - timedelta(days=30)).isoformat(), guild_id),
        )
        return [UsageCounts(r["id"], r["name"], r["week"], r["month"], r["total"], r["last_used"]) for r in rows]

    async def stale(self, guild_id: int, now: datetime, days: int = 90) -> list[ServerTemplate]:
        """Templates neither used nor created in the last ``days`` days, oldest first."""
        cutoff_day = (now.astimezone(UTC).date() - timedelta(days=days)).isoformat()
        cutoff = to_timestamp(now - timedelta(days=days))
        rows = await self._db.fetch_all(
            f"SELECT {', '.join('t.' + c.strip() for c in _COLUMNS.split(','))} FROM reply_templates t "
            "WHERE t.scope = 'guild' AND t.owner_id = ? AND t.created_at < ? AND NOT EXISTS "
            "(SELECT 1 FROM template_daily_uses d WHERE d.template_id = t.id AND d.day > ?) "
            "ORDER BY t.created_at, t.name",
            (guild_id, cutoff, cutoff_day),
        )
        return [_stored(row) for row in rows]
