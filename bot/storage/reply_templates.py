"""Reply templates: built-in copies for search, personal and server libraries, usage."""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from bot.errors import DisputeDeskError
from bot.storage.database import INTEGRITY_ERRORS, NOW_SQL, Database, Row, to_timestamp

Scope = Literal["builtin", "user", "guild"]
AUTOCOMPLETE_LIMIT = 25
_WORD = re.compile(r"\w+", re.UNICODE)
_COLUMNS = (
    "t.id, t.scope, t.owner_id, t.name, t.title, t.category, t.description, t.body, t.variables, t.quarantined"
)
_RETURNING = "RETURNING id, scope, owner_id, name, title, category, description, body, variables, quarantined"


class TemplateNameTaken(DisputeDeskError):
    """Another template of the same owner already has this name (two saves raced)."""

    def __init__(self, name: str, holder: str = "You already have") -> None:
        self.name = name
        super().__init__(f"{holder} a template called `{name}`; choose another name.")


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
    #: Why the sandbox stopped it and when; None while the template is usable.
    quarantined: str | None = None


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


def template_from_row(row: Row) -> StoredTemplate:
    """A ``reply_templates`` row as a template (personal, built-in and server ones alike)."""
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
        quarantined=row["quarantined"],
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
                f"variables = excluded.variables, updated_at = {NOW_SQL} "
                "WHERE reply_templates.body != excluded.body OR reply_templates.title != excluded.title "
                "OR reply_templates.category != excluded.category "
                "OR reply_templates.description != excluded.description "
                "OR reply_templates.variables != excluded.variables",
                [_params(r) for r in records],
            )
            names = json.dumps([r.name for r in records])
            listed = (
                "SELECT jsonb_array_elements_text(?::jsonb)" if self._db.dialect == "postgresql"
                else "SELECT value FROM json_each(?)"
            )
            await conn.execute(
                f"DELETE FROM reply_templates WHERE scope = 'builtin' AND name NOT IN ({listed})", (names,)
            )

    async def create(
        self, scope: Scope, owner_id: int, record: TemplateRecord, *, cap: int | None = None
    ) -> StoredTemplate:
        """Insert a template; with ``cap``, only while the owner has fewer than ``cap`` of them.

        The count and the insert are one transaction holding the owner's lock, so concurrent saves (in
        any process) cannot pass the cap: SQLite's write lock, or an advisory lock on PostgreSQL.
        """
        try:
            async with self._db.transaction(lock=f"reply_templates:{scope}:{owner_id}") as conn:
                if cap is not None:
                    count = await conn.fetch_one(
                        "SELECT count(*) FROM reply_templates WHERE scope = ? AND owner_id = ?", (scope, owner_id)
                    )
                    if count is not None and int(count[0]) >= cap:
                        raise TemplateCapReached(cap)
                row = await conn.fetch_one(
                    "INSERT INTO reply_templates (scope, owner_id, name, title, category, description, body, "
                    f"variables) VALUES (?, ?, ?, ?, ?, ?, ?, ?) {_RETURNING}",
                    (scope, owner_id, *_params(record)),
                )
        except INTEGRITY_ERRORS:
            raise TemplateNameTaken(record.name) from None
        assert row is not None
        return template_from_row(row)

    async def update(self, template_id: int, record: TemplateRecord) -> StoredTemplate | None:
        try:
            # An edit lifts a quarantine: the author changed what the sandbox had to stop.
            row = await self._db.fetch_one(
                "UPDATE reply_templates SET name = ?, title = ?, category = ?, description = ?, body = ?, "
                f"variables = ?, quarantined = NULL, updated_at = {NOW_SQL} "
                f"WHERE id = ? {_RETURNING}",
                (*_params(record), template_id),
            )
        except INTEGRITY_ERRORS:
            raise TemplateNameTaken(record.name) from None
        return template_from_row(row) if row else None

    async def quarantine(self, template_id: int, reason: str, now: datetime | None = None) -> bool:
        """Pause a user or server template until it is edited; True when it was not paused yet."""
        stamp = to_timestamp(now or datetime.now(UTC))
        row = await self._db.fetch_one(
            "UPDATE reply_templates SET quarantined = ? WHERE id = ? AND scope != 'builtin' "
            "AND quarantined IS NULL RETURNING id",
            (f"{stamp} {reason}", template_id),
        )
        return row is not None

    async def delete(self, template_id: int) -> bool:
        row = await self._db.fetch_one("DELETE FROM reply_templates WHERE id = ? RETURNING id", (template_id,))
        return row is not None

    async def get(self, template_id: int) -> StoredTemplate | None:
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM reply_templates t WHERE t.id = ?", (template_id,))
        return template_from_row(row) if row else None

    async def find_by_name(self, scope: Scope, owner_id: int, name: str) -> StoredTemplate | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM reply_templates t WHERE scope = ? AND owner_id = ? AND name = ?",
            (scope, owner_id, name),
        )
        return template_from_row(row) if row else None

    async def list_owned(self, scope: Scope, owner_id: int) -> list[StoredTemplate]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM reply_templates t WHERE scope = ? AND owner_id = ? ORDER BY name",
            (scope, owner_id),
        )
        return [template_from_row(row) for row in rows]

    async def count_owned(self, scope: Scope, owner_id: int) -> int:
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM reply_templates WHERE scope = ? AND owner_id = ?", (scope, owner_id)
        )
        return int(row[0]) if row else 0

    async def record_use(self, user_id: int, template_id: int, now: datetime | None = None) -> None:
        when = (now or datetime.now(UTC)).isoformat()
        await self._db.execute(
            "INSERT INTO template_usage (user_id, template_id, uses, last_used_at) VALUES (?, ?, 1, ?) "
            "ON CONFLICT (user_id, template_id) DO UPDATE SET uses = template_usage.uses + 1, "
            "last_used_at = excluded.last_used_at",
            (user_id, template_id, when),
        )
        # Per day as well, for a server's 7-day / 30-day counts and its stale templates (issue 14).
        await self._db.execute(
            "INSERT INTO template_daily_uses (template_id, day, uses) VALUES (?, ?, 1) "
            "ON CONFLICT (template_id, day) DO UPDATE SET uses = template_daily_uses.uses + 1",
            (template_id, (now or datetime.now(UTC)).astimezone(UTC).date().isoformat()),
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

        The visible set is read first, by owner (three index lookups), and only it is matched, so
        a keystroke costs what this user can see, not what every user of the bot has written
        (matching the whole full-text index first grew with the number of templates in the file).
        """
        now = now or datetime.now(UTC)
        # One query: built-ins, the user's templates, the server templates they used (for their
        # counts) and the server library's stamp; the library itself comes from memory.
        rows: list[Any] = await self._db.fetch_all(
            # The stamp is read once (materialized), not once per branch of the visible set.
            f"WITH stamp(server_stamp) AS MATERIALIZED {_SERVER_STAMP}, visible(id) AS ({_VISIBLE_IDS}) "
            f"SELECT {_COLUMNS}, COALESCE(u.uses, 0) AS uses, u.last_used_at, s.server_stamp "
            "FROM visible v JOIN reply_templates t ON t.id = v.id CROSS JOIN stamp s "
            "LEFT JOIN template_usage u ON u.template_id = t.id AND u.user_id = :user",
            {"user": user_id, "guild": guild_id if guild_id is not None else -1},
        )
        words = search_words(text)
        # Rows become templates only once they made the list (a server library adds 500 rows).
        scored: list[tuple[float, Any, int, str | None]] = []
        used: dict[int, tuple[int, str | None]] = {}
        for row in rows:
            uses, last = row["uses"], row["last_used_at"]
            if row["scope"] == "guild":
                used[row["id"]] = (uses, last)
                continue
            relevance = text_relevance(words, row["name"], row["title"], row["category"], row["body"])
            if relevance is None:
                continue
            scored.append((usage_score(relevance, uses, last, now), row, uses, last))
        if guild_id is not None:
            stamp = rows[0]["server_stamp"] if rows else None
            library = await self._server_library(guild_id, stamp)
            # The templates this member used rank with their use; of the others only the best
            # ``limit`` can make the list, and the library keeps them ranked per query.
            for template_id, (uses, last) in used.items():
                found = library.relevance(template_id, words)
                if found is not None:
                    relevance, row = found
                    scored.append((usage_score(relevance, uses, last, now), row, uses, last))
            taken = 0
            for relevance, row in library.best(words, limit + len(used)):
                if taken == limit:
                    break
                if row["id"] not in used:
                    scored.append((relevance, row, 0, None))
                    taken += 1
        if words:
            scored.sort(key=lambda hit: (-hit[0], hit[1]["name"]))
        else:
            scored.sort(
                key=lambda hit: (
                    -hit[2],
                    _descending(hit[3]),
                    hit[1]["scope"] != "user",
                    hit[1]["category"],
                    hit[1]["name"],
                )
            )
        return [SearchHit(template_from_row(row), uses, last) for _, row, uses, last in scored[:limit]]


    async def _server_library(self, guild_id: int, stamp: int | None) -> _ServerLibrary:
        """A server's library for search, kept in memory while its stamp is unchanged.

        Every member of a server searches the same (up to 500) templates on every keystroke. The
        stamp (a revision every change to the library raises, in the same transaction) comes with
        the search query; only a new stamp reads the rows again.
        """
        if stamp is None:  # nothing else was visible to carry it
            row = await self._db.fetch_one(f"SELECT {_SERVER_STAMP}", {"guild": guild_id})
            stamp = row[0] if row else 0
        # Per open database: the stamp is checked in the database itself on every search, so a
        # save by another process is seen too.
        key = (id(self._db), self._db.where, guild_id)
        cached = _SERVER_ROWS.get(key)
        if cached is None or cached[0] != stamp:
            found = await self._db.fetch_all(
                f"SELECT {_COLUMNS} FROM reply_templates t WHERE scope = 'guild' AND owner_id = ?", (guild_id,)
            )
            cached = (stamp, _ServerLibrary([dict(zip(row.keys(), tuple(row), strict=True)) for row in found]))
            _SERVER_ROWS[key] = cached
            while len(_SERVER_ROWS) > _SERVER_ROWS_KEPT:
                _SERVER_ROWS.pop(next(iter(_SERVER_ROWS)))
        return cached[1]


class _ServerLibrary:
    """A server's templates for search, with every start of every word mapped to the templates
    holding it, by weight: a keystroke combines a few sets instead of scanning 500 rows. Same
    relevance as :func:`text_relevance` on each row.

    A set of templates is an int whose bit ``n`` is the template at position ``n``: combining the
    words of a query is a few ``&`` and ``|`` of ints (machine code), not a loop over every match.
    Rows are kept in name order, so a position is also the tie-break of equal relevance; the best
    rows of a query are remembered (members of a server type the same few starts of words)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = sorted(rows, key=lambda row: row["name"])
        self.positions = {row["id"]: position for position, row in enumerate(self.rows)}
        # With nothing typed, unused templates come in (category, name) order, as in search().
        self.unranked = sorted(self.rows, key=lambda row: (row["category"], row["name"]))
        weights: dict[str, dict[int, float]] = {}
        for position, row in enumerate(self.rows):
            fields = (row["name"], row["title"], row["category"], row["body"])
            for weight, field in zip(_FIELD_WEIGHTS, fields, strict=True):
                for prefix in _field_prefixes(field):
                    holders = weights.setdefault(prefix, {})
                    holders[position] = holders.get(position, 0.0) + weight
        #: start of a word -> {weight: the templates where it weighs that much}
        self.index: dict[str, dict[float, int]] = {}
        for prefix, holders in weights.items():
            levels: dict[float, int] = {}
            for position, weight in holders.items():
                levels[weight] = levels.get(weight, 0) | (1 << position)
            self.index[prefix] = levels
        self._best: dict[tuple[tuple[str, ...], int], list[tuple[float, dict[str, Any]]]] = {}
        self._leading: dict[tuple[str, ...], dict[float, int]] = {}

    def relevance(self, template_id: int, words: Sequence[str]) -> tuple[float, dict[str, Any]] | None:
        """One template's relevance to ``words`` and its row; None when it does not match."""
        position = self.positions.get(template_id)
        if position is None:
            return None
        total, bit = 0.0, 1 << position
        for word in words:
            for weight, held in self.index.get(word, {}).items():
                if held & bit:
                    total += weight
                    break
            else:
                return None
        return total, self.rows[position]

    def best(self, words: Sequence[str], count: int) -> list[tuple[float, dict[str, Any]]]:
        """The ``count`` best matches of ``words``, best first (relevance, then name)."""
        if not words:
            return [(0.0, row) for row in self.unranked[:count]]
        key = (tuple(words), count)
        found = self._best.get(key)
        if found is None:
            found = self._rank(words, count)
            self._best[key] = found
            while len(self._best) > _BEST_KEPT:
                self._best.pop(next(iter(self._best)))
        return found

    def _totals(self, words: tuple[str, ...]) -> dict[float, int]:
        """The matching templates by relevance; a query's leading words are reused from the queries
        before it (typing on extends the last word, so "late pay" → "late paym" reads "late" here)."""
        if len(words) == 1:
            return self.index.get(words[0], {})
        found = self._leading.get(words)
        if found is None:
            found = {}
            last = self.index.get(words[-1], {})
            for total, held in self._totals(words[:-1]).items():
                for weight, more in last.items():
                    both = held & more
                    if both:
                        found[total + weight] = found.get(total + weight, 0) | both
            self._leading[words] = found
            while len(self._leading) > _BEST_KEPT:
                self._leading.pop(next(iter(self._leading)))
        return found

    def _rank(self, words: Sequence[str], count: int) -> list[tuple[float, dict[str, Any]]]:
        ranked: list[tuple[float, dict[str, Any]]] = []
        totals = self._totals(tuple(words))
        for total in sorted(totals, reverse=True):
            held = totals[total]
            while held:  # lowest position (name order) first
                lowest = held & -held
                ranked.append((total, self.rows[lowest.bit_length() - 1]))
                if len(ranked) == count:
                    return ranked
                held ^= lowest
        return ranked


# Server libraries kept for search, by (database file, server): (stamp, library). The oldest go first.
_SERVER_ROWS: dict[tuple[int, str, int], tuple[int, _ServerLibrary]] = {}
_SERVER_ROWS_KEPT = 256
_BEST_KEPT = 256  # queries remembered per server library
# Raised by every change to the server's templates (migration 0012's triggers); 0 for none yet.
_SERVER_STAMP = "(SELECT COALESCE(max(revision), 0) FROM server_library_stamps WHERE guild_id = :guild)"
_VISIBLE_IDS = (
    "SELECT id FROM reply_templates WHERE scope = 'builtin' AND owner_id = 0 "
    "UNION ALL SELECT id FROM reply_templates WHERE scope = 'user' AND owner_id = :user "
    # From the member's uses (a few dozen rows) to their templates, not from the server's 500
    # templates to their uses: CROSS JOIN keeps that order in SQLite (PostgreSQL plans it alike).
    "UNION ALL SELECT u.template_id FROM template_usage u CROSS JOIN reply_templates g "
    "WHERE g.id = u.template_id AND u.user_id = :user AND g.scope = 'guild' AND g.owner_id = :guild"
)
# Where a typed word is found counts this much: the name, then the title, category and body.
_FIELD_WEIGHTS = (8.0, 4.0, 2.0, 1.0)


def _descending(stamp: str | None) -> tuple[bool, str]:
    """Sort key putting the most recent timestamp first and never-used last."""
    if stamp is None:
        return (True, "")
    return (False, "".join(chr(0x10FFFF - ord(c)) for c in stamp))


def search_words(text: str) -> tuple[str, ...]:
    """The (at most eight) words of what was typed, lowercased and without accents."""
    return tuple(_WORD.findall(_fold(text))[:8])


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=8192)
def _field_words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(_fold(text)))


@functools.lru_cache(maxsize=8192)
def _field_prefixes(text: str) -> frozenset[str]:
    """Every start of every word of a field: a typed word matches by one set lookup."""
    return frozenset(word[:end] for word in _field_words(text) for end in range(1, len(word) + 1))


def text_relevance(words: Sequence[str], *fields: str) -> float | None:
    """None unless every typed word starts a word of some field; else the weighted field hits.

    Like a full-text prefix query: each typed word may be the start of a word ("canc" finds
    "cancel"); a word found in the name weighs most, then title, category and body.
    """
    if not words:
        return 0.0
    total = 0.0
    field_prefixes = [_field_prefixes(field) for field in fields]
    for word in words:
        found = [
            weight for weight, prefixes in zip(_FIELD_WEIGHTS, field_prefixes, strict=False) if word in prefixes
        ]
        if not found:
            return None
        total += sum(found)
    return total


def _params(record: TemplateRecord) -> Sequence[Any]:
    return (
        record.name,
        record.title,
        record.category,
        record.description,
        record.body,
        json.dumps(list(record.variables), sort_keys=True),
    )
