"""Profiles and reply templates on real SQLite: FTS search, visibility, usage ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import Database
from bot.storage.profiles import Profile, ProfileRepository
from bot.storage.reply_templates import ReplyTemplateRepository, TemplateRecord, fts_query

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def record(name: str, body: str = "Hello {{ buyer_name }}", category: str = "delivery") -> TemplateRecord:
    return TemplateRecord(name, name.replace("-", " ").title(), category, "", body, ({"name": "buyer_name"},))


async def test_profile_defaults_update_and_clear(db: Database) -> None:
    profiles = ProfileRepository(db)
    assert await profiles.get(1) == Profile(1)
    await profiles.update(1, display_name="Ana", currency="EUR")
    updated = await profiles.update(1, sign_off="Best, Ana")
    assert updated == Profile(1, display_name="Ana", sign_off="Best, Ana", currency="EUR")
    assert await profiles.get(1) == updated
    cleared = await profiles.update(1, currency="")
    assert cleared.currency is None
    assert cleared.known_values() == {"display_name": "Ana", "sign_off": "Best, Ana"}
    with pytest.raises(ValueError, match="unknown profile fields"):
        await profiles.update(1, password="x")


def test_fts_query_is_safe() -> None:
    assert fts_query("") is None
    assert fts_query('"; DROP TABLE x; --') == '"drop"* "table"* "x"*'
    assert fts_query("Cancel ORDER") == '"cancel"* "order"*'


async def test_search_matches_name_title_category_and_body(db: Database) -> None:
    repo = ReplyTemplateRepository(db)
    await repo.replace_builtins(
        [
            record("cancel-decline", "I intend to finish this order", "cancellations"),
            record("payment-reminder", "Invoice {{ invoice }} is overdue", "payments"),
            record("delivery-note", "Here is your delivery", "delivery"),
        ]
    )
    assert [h.template.name for h in await repo.search("canc", user_id=1)] == ["cancel-decline"]
    assert [h.template.name for h in await repo.search("overdue", user_id=1)] == ["payment-reminder"]
    assert [h.template.name for h in await repo.search("payments", user_id=1)] == ["payment-reminder"]
    assert await repo.search("nothing-like-this", user_id=1) == []
    assert len(await repo.search("", user_id=1)) == 3


async def test_personal_and_server_templates_are_private_to_their_owner(db: Database) -> None:
    repo = ReplyTemplateRepository(db)
    await repo.create("user", 1, record("my-thanks", "thanks a lot"))
    await repo.create("guild", 500, record("server-thanks", "thanks from the server"))
    assert {h.template.name for h in await repo.search("thanks", user_id=1)} == {"my-thanks"}
    assert {h.template.name for h in await repo.search("thanks", user_id=2, guild_id=500)} == {"server-thanks"}
    assert await repo.search("thanks", user_id=2) == []


async def test_usage_and_recency_rank_first(db: Database) -> None:
    repo = ReplyTemplateRepository(db)
    await repo.replace_builtins([record(f"reminder-{i}", "payment reminder") for i in range(5)])
    favourite = await repo.find_by_name("builtin", 0, "reminder-3")
    assert favourite is not None
    for _ in range(3):
        await repo.record_use(7, favourite.id, NOW - timedelta(days=1))
    hits = await repo.search("remind", user_id=7, now=NOW)
    assert hits[0].template.name == "reminder-3" and hits[0].uses == 3
    other_user = await repo.search("remind", user_id=8, now=NOW)
    assert other_user[0].uses == 0


async def test_replace_builtins_updates_and_removes_keeping_usage(db: Database) -> None:
    repo = ReplyTemplateRepository(db)
    await repo.replace_builtins([record("a"), record("b")])
    kept = await repo.find_by_name("builtin", 0, "a")
    assert kept is not None
    await repo.record_use(1, kept.id, NOW)
    await repo.replace_builtins([record("a", "new body about invoices")])
    assert await repo.find_by_name("builtin", 0, "b") is None
    hits = await repo.search("invoices", user_id=1, now=NOW)
    assert [(h.template.id, h.uses) for h in hits] == [(kept.id, 1)]


async def test_crud_and_index_follow_updates(db: Database) -> None:
    repo = ReplyTemplateRepository(db)
    created = await repo.create("user", 1, record("mine", "about apples"))
    assert await repo.get(created.id) == created
    assert created.variables == ({"name": "buyer_name"},)
    updated = await repo.update(created.id, record("mine", "about pears"))
    assert updated is not None and updated.body == "about pears"
    assert await repo.search("apples", user_id=1) == []
    assert [h.template.id for h in await repo.search("pears", user_id=1)] == [created.id]
    assert await repo.count_owned("user", 1) == 1
    assert await repo.delete(created.id)
    assert not await repo.delete(created.id)
    assert await repo.search("pears", user_id=1) == []


async def test_ten_thousand_templates_search_returns_at_most_25(db: Database) -> None:
    repo = ReplyTemplateRepository(db)
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO reply_templates (scope, owner_id, name, title, category, body) "
            "VALUES ('user', 1, ?, ?, 'misc', ?)",
            [(f"t{i}", f"Template {i}", f"reminder text number {i}") for i in range(10_000)],
        )
    hits = await repo.search("remind", user_id=1)
    assert len(hits) == 25
