"""What is stored about a user: registered everywhere, exported whole, deleted whole (and only theirs)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import Database
from bot.storage.cooldowns import CooldownRepository
from bot.storage.dispute_sessions import DisputeSessionRepository
from bot.storage.profiles import ProfileRepository
from bot.storage.reply_templates import ReplyTemplateRepository, TemplateRecord
from bot.storage.user_data import USER_COLUMNS, USER_DATA, count_user_rows, export_user_data, forget_user
from tests.deskbot import desk_bot
from tests.fakediscord import FakeDiscord, FakeMessage

pytestmark = pytest.mark.timeout(60)
PROJECT_ROOT = Path(__file__).resolve().parents[1]
EPHEMERAL = 1 << 6
ALICE, BOB, GUILD = 700000000000000001, 700000000000000002, 700000000000000003


async def user_columns(db: Database) -> set[tuple[str, str]]:
    """(table, column) of every column of the live schema that holds a user id, by name."""
    found: set[tuple[str, str]] = set()
    if db.dialect == "postgresql":
        columns = await db.fetch_all(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        )
        return {(row[0], row[1]) for row in columns if row[1] in USER_COLUMNS}
    tables = await db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE '%VIRTUAL%'"
    )
    for (table,) in tables:
        for column in await db.fetch_all(f"SELECT name FROM pragma_table_info('{table}')"):
            if column["name"] in USER_COLUMNS:
                found.add((table, column["name"]))
    return found


async def rows_naming(db: Database, user_id: int) -> dict[str, int]:
    """Rows in any table whose user column holds ``user_id`` (guild-scoped templates aside)."""
    counts: dict[str, int] = {}
    for table, column in await user_columns(db):
        only = " AND scope != 'guild'" if table == "reply_templates" else ""
        row = await db.fetch_one(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?{only}", (user_id,))
        if row and row[0]:
            counts[table] = int(row[0])
    return counts


async def store_everything(db: Database, user_id: int) -> None:
    await ProfileRepository(db).update(user_id, display_name=f"User {user_id}")
    sessions = DisputeSessionRepository(db)
    await sessions.create(user_id, {"engine": {"answers": {"buyer_message": "cancel please"}}})
    record = TemplateRecord("mine", "Mine", "personal", "", "Hi")
    template = await ReplyTemplateRepository(db).create("user", user_id, record)
    await db.execute(
        "INSERT INTO template_usage (user_id, template_id, uses, last_used_at) VALUES (?, ?, 1, '2026')",
        (user_id, template.id),
    )
    await db.execute("INSERT INTO reply_drafts (user_id, kind, state) VALUES (?, 'fill', '{}')", (user_id,))
    await db.execute(
        "INSERT INTO scheduled_jobs (kind, payload, due_at, user_id) VALUES ('reminder', '{}', '2099', ?)", (user_id,)
    )
    await db.execute("INSERT INTO result_prompt_optouts (user_id) VALUES (?)", (user_id,))
    await CooldownRepository(db).take("case_from_message", user_id, burst=3, every_s=20, now=datetime.now(UTC))
    await db.execute(
        "INSERT INTO template_suggestions (guild_id, suggester_id, name, title, category, body, created_at) "
        "VALUES (1, ?, 'mine', 'Mine', 'x', 'Hi', '2026')",
        (user_id,),
    )


async def test_every_table_that_stores_a_user_id_is_registered(db: Database) -> None:
    registered = {(rows.table, rows.column) for rows in USER_DATA}
    unregistered = await user_columns(db) - registered
    assert unregistered == set(), f"register these in bot/storage/user_data.py: {sorted(unregistered)}"


async def test_export_then_forget_removes_every_row_of_that_user_only(db: Database) -> None:
    await store_everything(db, ALICE)
    await store_everything(db, BOB)
    await ReplyTemplateRepository(db).create("guild", ALICE, TemplateRecord("srv", "Server", "x", "", "Hi"))
    exported = await export_user_data(db, ALICE)
    assert {table: len(rows) for table, rows in exported["tables"].items()} == await count_user_rows(db, ALICE)
    assert all(len(rows) == 1 for rows in exported["tables"].values())
    assert exported["tables"]["dispute_sessions"][0]["state"]["engine"]["answers"]["buyer_message"] == "cancel please"
    removed = await forget_user(db, ALICE)
    assert set(removed.values()) == {1}
    assert await rows_naming(db, ALICE) == {}
    assert await rows_naming(db, BOB) == {rows.table: 1 for rows in USER_DATA}
    assert await ReplyTemplateRepository(db).find_by_name("guild", ALICE, "srv") is not None


async def test_closed_cases_are_purged_after_their_retention(db: Database) -> None:
    sessions = DisputeSessionRepository(db)
    old = await sessions.create(ALICE, {"engine": {}})
    await sessions.save(old, {"engine": {}}, status="finished")
    now = datetime.now(UTC)
    assert await sessions.purge_closed(timedelta(days=90), now) == 0
    assert await sessions.purge_closed(timedelta(days=90), now + timedelta(days=91)) == 1


def button(message: FakeMessage, action: str) -> str:
    return next(custom_id for custom_id in message.custom_ids() if custom_id.endswith(f":{action}"))


async def test_privacy_export_and_delete_end_to_end(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice, bob = fake_discord.add_user("alice"), fake_discord.add_user("bob")
    async with desk_bot(fake_discord, tmp_path) as bot:
        await store_everything(bot.db, alice.id)
        await store_everything(bot.db, bob.id)
        await (await fake_discord.slash("dispute start", user=alice, dm=True)).response()

        shown = await (await fake_discord.slash("privacy show", user=alice, dm=True)).response()
        assert shown.data["flags"] & EPHEMERAL and "your /dispute cases, with the answers you typed: 2" in shown.data[
            "content"
        ]
        exported = await (await fake_discord.slash("privacy export", user=alice, dm=True)).response()
        assert exported.data["flags"] & EPHEMERAL
        data = json.loads(exported.files[0].text)
        assert data["user_id"] == str(alice.id)
        assert {table: len(rows) for table, rows in data["tables"].items()} == await rows_naming(bot.db, alice.id)

        asked = await fake_discord.slash("privacy delete", user=alice, dm=True)
        assert "cannot be undone" in (await asked.response()).data["content"]
        prompt = await asked.message()
        assert await rows_naming(bot.db, alice.id)  # nothing deleted before the confirm
        refused = await (await fake_discord.click(prompt, button(prompt, "forget"), user=bob)).response()
        assert refused.data["flags"] & EPHEMERAL and "someone else" in refused.data["content"]
        assert await rows_naming(bot.db, alice.id)
        done = await (await fake_discord.click(prompt, button(prompt, "forget"), user=alice)).response()
        assert "nothing about you is stored" in done.data["content"]
        assert await rows_naming(bot.db, alice.id) == {}
        assert await rows_naming(bot.db, bob.id) == {rows.table: 1 for rows in USER_DATA}
        again = await (await fake_discord.slash("privacy delete", user=alice, dm=True)).response()
        assert again.data["content"] == "Nothing is stored about you."


def run_db(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "db", *args],
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(database.parent), "DATABASE_PATH": str(database)},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


async def test_operator_exports_and_forgets_from_the_command_line(tmp_path: Path) -> None:
    database = tmp_path / "desk.sqlite3"
    async with await Database.open(database) as db:
        await db.migrate()
        await store_everything(db, ALICE)
    exported = run_db("export", str(ALICE), database=database)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["tables"]["profiles"][0]["display_name"] == f"User {ALICE}"
    forgot = run_db("forget", str(ALICE), database=database)
    assert forgot.returncode == 0 and forgot.stdout.startswith(f"forgot user {ALICE}: 1 from ")
    async with await Database.open(database) as db:
        assert await rows_naming(db, ALICE) == {}
    bad = run_db("forget", "12", database=database)
    assert bad.returncode == 2 and "not a Discord user id" in bad.stderr
