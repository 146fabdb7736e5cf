"""Reply templates in SQLite: built-in copies for search, personal and server libraries, usage."""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import aiosqlite

from bot.errors import DisputeDeskError
from bot.storage.database import Database

Scope = Literal["builtin", "user", "guild"]
AUTOCOMPLETE_LIMIT = 25
# How many full-text matches are re-ranked by the user's own usage; bm25 orders them first, in C.
_RERANK_POOL = 200
_WORD = re.compile(r"\w+", re.UNICODE)
_COLUMNS = "t.id, t.scope, t.owner_id, t.name, t.title, t.category, t.description, t.body, t.variables"


class TemplateNameTaken(DisputeDeskError):
    """Another template of the same owner already has this name (two saves raced)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"You already have a template called `{name}`; choose another name.")


class TemplateCapReached(DisputeDeskError):
    """The owner already has as many templates as allowed."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        super().__init__(f"You already have {cap} personal templates, the most you can keep; delete one first.")


@dataclass(frozen=True)
class StoredTemplate:
    id: int
    scope: Scope
    owner_id: int
    name: str
    title: str
    category: str
    description: str
    body: str
    variables: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class TemplateRecord:
    """What is written: a template without its id."""

    name: str
    title: str
    category: str
    description: str
    body: str
    variables: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class SearchHit:
    template: StoredTemplate
    uses: int
    last_used_at: str | None


def fts_query(text: str) -> str | None:
    """Turn what a user typed into a safe FTS5 prefix query; None when there is nothing to match."""
    words = _WORD.findall(text.lower())[:8]
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words)


def _template(row: aiosqlite.Row) -> StoredTemplate:
    return StoredTemplate(
        id=row["id"],
        scope=row["scope"],
        owner_id=row["owner_id"],
        name=row["name"],
        title=row["title"],
        category=row["category"],
        description=row["description"],
        body=row["body"],
        variables=tuple(json.loads(row["variables"])),
    )


def usage_score(relevance: float, uses: int, last_used_at: str | None, now: datetime) -> float:
    """Higher is better: text relevance, plus the user's own use, fading over about a month."""
    score = relevance + 1.5 * math.log1p(uses)
    if last_used_at:
        age_days = (now - datetime.fromisoformat(last_used_at)).total_seconds() / 86_400
        score += 2.0 * math.exp(-max(age_days, 0.0) / 30)
    return score


class ReplyTemplateRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def replace_builtins(self, records: Iterable[TemplateRecord]) -> None:
        """Make the stored built-ins equal to ``records`` (kept ids keep their usage counts)."""
        records = list(records)
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO reply_templates (scope, owner_id, name, title, category, description, body, "
                "variables) VALUES ('builtin', 0, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (scope, owner_id, name) DO UPDATE SET title = excluded.title, "
                "category = excluded.category, description = excluded.description, body = excluded.body, "
                "variables = excluded.variables, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                "WHERE body != excluded.body OR title != excluded.title OR category != excluded.category "
                "OR description != excluded.description OR variables != excluded.variables",
                [_params(r) for r in records],
            )
            names = [r.name for r in records]
            await conn.execute(
                "DELETE FROM reply_templates WHERE scope = 'builtin' AND name NOT IN "
                "(SELECT value FROM json_each(?))",
                (json.dumps(names),),
            )

    async def create(
        self, scope: Scope, owner_id: int, record: TemplateRecord, *, cap: int | None = None
    ) -> StoredTemplate:
        """Insert a template; with ``cap``, only while the owner has fewer than ``cap`` of them.

        The count and the insert are one statement, so concurrent saves cannot pass the cap.
        """
        limit = -1 if cap is None else cap
        try:
            row = await self._db.fetch_one(
                "INSERT INTO reply_templates (scope, owner_id, name, title, category, description, body, "
                "variables) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ? < 0 OR (SELECT count(*) FROM reply_templates "
                "WHERE scope = ? AND owner_id = ?) < ? RETURNING id, scope, owner_id, name, title, "
                "category, description, body, variables",
                (scope, owner_id, *_params(record), limit, scope, owner_id, limit),
            )
        except sqlite3.IntegrityError:
            raise TemplateNameTaken(record.name) from None
        if row is None:
            raise TemplateCapReached(limit)
        return _template(row)

    async def update(self, template_id: int, record: TemplateRecord) -> StoredTemplate | None:
        try:
            row = await self._db.fetch_one(
                "UPDATE reply_templates SET name = ?, title = ?, category = ?, description = ?, body = ?, "
                "variables = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ? "
                "RETURNING id, scope, owner_id, name, title, category, description, body, variables",
                (*_params(record), template_id),
            )
        except sqlite3.IntegrityError:
            raise TemplateNameTaken(record.name) from None
        return _template(row) if row else None

    async def delete(self, template_id: int) -> bool:
        row = await self._db.fetch_one("DELETE FROM reply_templates WHERE id = ? RETURNING id", (template_id,))
        return row is not None

    async def get(self, template_id: int) -> StoredTemplate | None:
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM reply_templates t WHERE t.id = ?", (template_id,))
        return _template(row) if row else None

    async def find_by_name(self, scope: Scope, owner_id: int, name: str) -> StoredTemplate | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM reply_templates t WHERE scope = ? AND owner_id = ? AND name = ?",
            (scope, owner_id, name),
        )
        return _template(row) if row else None

    async def list_owned(self, scope: Scope, owner_id: int) -> list[StoredTemplate]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM reply_templates t WHERE scope = ? AND owner_id = ? ORDER BY name",
            (scope, owner_id),
        )
        return [_template(row) for row in rows]

    async def count_owned(self, scope: Scope, owner_id: int) -> int:
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM reply_templates WHERE scope = ? AND owner_id = ?", (scope, owner_id)
        )
        return int(row[0]) if row else 0

    async def record_use(self, user_id: int, template_id: int, now: datetime | None = None) -> None:
        when = (now or datetime.now(UTC)).isoformat()
        await self._db.execute(
            "INSERT INTO template_usage (user_id, template_id, uses, last_used_at) VALUES (?, ?, 1, ?) "
            "ON CONFLICT (user_id, template_id) DO UPDATE SET uses = uses + 1, "
            "last_used_at = excluded.last_used_at",
            (user_id, template_id, when),
        )

    async def search(
        self,
        text: str,
        *,
        user_id: int,
        guild_id: int | None = None,
        limit: int = AUTOCOMPLETE_LIMIT,
        now: datetime | None = None,
    ) -> list[SearchHit]:
        """Templates visible to the user that match ``text``, best first, ranked by their own use.

        Visible: built-ins, the user's personal templates and, in a server, that server's library.
        With nothing typed, the user's most used and most recent templates come first.
        """
        now = now or datetime.now(UTC)
        visibility = (
            "(t.scope = 'builtin' OR (t.scope = 'user' AND t.owner_id = :user) "
            "OR (t.scope = 'guild' AND t.owner_id = :guild))"
        )
        params: dict[str, Any] = {"user": user_id, "guild": guild_id or -1, "pool": _RERANK_POOL}
        query = fts_query(text)
        if query is None:
            rows = await self._db.fetch_all(
                f"SELECT {_COLUMNS}, COALESCE(u.uses, 0) AS uses, u.last_used_at, 0.0 AS relevance "
                "FROM reply_templates t LEFT JOIN template_usage u "
                "ON u.template_id = t.id AND u.user_id = :user "
                f"WHERE {visibility} "
                "ORDER BY COALESCE(u.uses, 0) DESC, u.last_used_at DESC, t.scope != 'user', t.category, t.name "
                "LIMIT :pool",
                params,
            )
        else:
            params["query"] = query
            # bm25 is negative (more negative = better); weights favour name, then title, category, body.
            rows = await self._db.fetch_all(
                f"SELECT {_COLUMNS}, COALESCE(u.uses, 0) AS uses, u.last_used_at, "
                "-bm25(reply_templates_fts, 8.0, 4.0, 2.0, 1.0) AS relevance "
                "FROM reply_templates_fts JOIN reply_templates t ON t.id = reply_templates_fts.rowid "
                "LEFT JOIN template_usage u ON u.template_id = t.id AND u.user_id = :user "
                f"WHERE reply_templates_fts MATCH :query AND {visibility} "
                "ORDER BY bm25(reply_templates_fts, 8.0, 4.0, 2.0, 1.0) LIMIT :pool",
                params,
            )
        hits = [SearchHit(_template(row), row["uses"], row["last_used_at"]) for row in rows]
        relevance = {hit.template.id: row["relevance"] for hit, row in zip(hits, rows, strict=True)}
        hits.sort(
            key=lambda h: usage_score(relevance[h.template.id], h.uses, h.last_used_at, now), reverse=True
        )
        return hits[:limit]


def _params(record: TemplateRecord) -> Sequence[Any]:
    return (
        record.name,
        record.title,
        record.category,
        record.description,
        record.body,
        json.dumps(list(record.variables), sort_keys=True),
    )
