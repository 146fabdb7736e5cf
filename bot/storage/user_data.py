"""Everything stored about one user: where it lives, how to export it, how to delete it.

Every table that holds a user's id registers here (:data:`USER_DATA`). A test reads the live schema
and fails when a table has a user column (``user_id``, or ``owner_id`` of user-scoped rows) that is
not registered, so a new feature cannot store user data that `/privacy` would miss.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.storage.database import Database


@dataclass(frozen=True)
class UserRows:
    """The rows of ``table`` whose ``column`` is the user's id (and that match ``only``, if given)."""

    table: str
    column: str
    what: str  # for people: what these rows are
    only: str = ""  # an extra SQL condition on constant values, e.g. "scope = 'user'"
    order: str = "id"  # the export's order, the same on both engines

    @property
    def where(self) -> str:
        return f"{self.column} = ?" + (f" AND {self.only}" if self.only else "")


USER_DATA: tuple[UserRows, ...] = (
    UserRows("profiles", "user_id", "your /profile settings", order="user_id"),
    UserRows("dispute_sessions", "user_id", "your /dispute cases, with the answers you typed"),
    UserRows("reply_drafts", "user_id", "quick replies and templates you were filling in or writing"),
    UserRows("reply_templates", "owner_id", "your personal templates", only="scope = 'user'"),
    UserRows("template_usage", "user_id", "how often you used each template", order="template_id"),
    UserRows("scheduled_jobs", "user_id", "your deadline reminders and result prompts, pending and sent"),
    UserRows("cooldowns", "user_id", "when you last used the actions that are rate-limited", order="name"),
    UserRows(
        "result_prompt_optouts", "user_id", "that you asked not to be asked how your cases ended", order="user_id"
    ),
    UserRows(
        "template_suggestions", "suggester_id", "templates you suggested to a server's curators", order="id"
    ),
)
# Columns that hold a user's id, by name; reply_templates.owner_id also holds guild ids (scope).
USER_COLUMNS = frozenset({"user_id", "owner_id", "suggester_id"})
EXPORT_FORMAT = 1


async def count_user_rows(db: Database, user_id: int) -> dict[str, int]:
    """How many rows each registered table holds for ``user_id``."""
    counts: dict[str, int] = {}
    for rows in USER_DATA:
        found = await db.fetch_one(f"SELECT COUNT(*) FROM {rows.table} WHERE {rows.where}", (user_id,))
        counts[rows.table] = int(found[0]) if found else 0
    return counts


async def export_user_data(db: Database, user_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Every stored row about ``user_id``, table by table, as plain JSON-ready values."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for rows in USER_DATA:
        found = await db.fetch_all(f"SELECT * FROM {rows.table} WHERE {rows.where} ORDER BY {rows.order}", (user_id,))
        tables[rows.table] = [_plain(dict(row)) for row in found]
    return {
        "format": EXPORT_FORMAT,
        "user_id": str(user_id),
        "exported_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "tables": tables,
    }


async def forget_user(db: Database, user_id: int) -> dict[str, int]:
    """Delete every stored row about ``user_id`` in one transaction; return how many went per table."""
    removed: dict[str, int] = {}
    async with db.transaction() as connection:
        # Usage first: it may point at the personal templates deleted below.
        for rows in sorted(USER_DATA, key=lambda r: r.table != "template_usage"):
            removed[rows.table] = await connection.execute(f"DELETE FROM {rows.table} WHERE {rows.where}", (user_id,))
    return removed


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """Decode the JSON columns (session state, draft state, variables) so the export reads as data."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        elif isinstance(value, int) and key.endswith("_id") and value > 2**53:
            value = str(value)  # ids past JavaScript's safe integers stay exact as text
        out[key] = value
    return out
