"""A user's template search costs what that user can see, not what everyone has written (item 4)."""

from __future__ import annotations

from pathlib import Path

from bot.storage import Database
from bot.storage.reply_templates import ReplyTemplateRepository, TemplateRecord

SELLER = 1


async def _add_others(db: Database, start: int, count: int) -> None:
    # Other sellers' templates that all match what our seller types.
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO reply_templates (scope, owner_id, name, title, category, body) "
            "VALUES ('user', ?, ?, 'Invoice reminder', 'payments', 'Hi, the invoice is overdue')",
            [(10_000 + n % 500, f"invoice-{n}") for n in range(start, start + count)],
        )


async def _work(db: Database, repo: ReplyTemplateRepository, query: str) -> int:
    """SQLite virtual-machine steps (in hundreds) one search takes."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    await db.connection.set_progress_handler(tick, 100)
    try:
        hits = await repo.search(query, user_id=SELLER, guild_id=None)
    finally:
        await db.connection.set_progress_handler(None, 0)
    assert [h.template.owner_id for h in hits] == [SELLER] * len(hits) and hits
    return steps[0]


async def test_search_work_does_not_grow_with_other_users_templates(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await db.migrate()
        repo = ReplyTemplateRepository(db)
        for n in range(30):
            await repo.create("user", SELLER, TemplateRecord(f"mine-{n}", "Invoice nudge", "payments", "", "Hi"))
        await _add_others(db, 0, 1_000)
        small = {query: await _work(db, repo, query) for query in ("inv", "invoice nud", "")}
        await _add_others(db, 1_000, 9_000)
        large = {query: await _work(db, repo, query) for query in ("inv", "invoice nud", "")}
    for query, steps in small.items():
        assert large[query] <= steps * 1.2 + 2, (query, small, large)
