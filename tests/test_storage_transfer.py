"""`db copy` between engines (a round trip gives identical rows), `db backup` / `db restore` on both."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.__main__ import main
from bot.storage import Database, MetaRepository
from bot.storage.dispute_sessions import DisputeSessionRepository
from bot.storage.profiles import ProfileRepository
from bot.storage.reply_drafts import ReplyDraftRepository
from bot.storage.reply_templates import ReplyTemplateRepository, TemplateRecord
from bot.storage.scheduled_jobs import JobRepository
from bot.storage.transfer import COPY_TABLES, DERIVED_TABLES, copy_database
from tests.storage_fixtures import POSTGRES_URL, postgres_schema

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SELLER = 700000000000000001  # a Discord-sized id: needs 64 bits


async def fill(db: Database) -> None:
    """A little of everything a running bot stores, through the repositories."""
    await MetaRepository(db).set("commands_hash:global", "abc")
    await ProfileRepository(db).update(SELLER, display_name="Ana", currency="EUR")
    templates = ReplyTemplateRepository(db)
    await templates.replace_builtins([TemplateRecord("thanks", "Thanks", "delivery", "", "Thank you {{ x }}")])
    mine = await templates.create("user", SELLER, TemplateRecord("mine", "Mine", "misc", "d", "Hi", ({"name": "x"},)))
    await templates.record_use(SELLER, mine.id, NOW)
    await templates.quarantine(mine.id, "time", NOW)
    sessions = DisputeSessionRepository(db)
    case = await sessions.create(SELLER, {"engine": {"answers": {"platform": "fiverr"}}}, NOW, guild_id=SELLER + 1)
    await sessions.save(case, {"engine": {"answers": {"platform": "fiverr", "dispute_type": "x"}}}, "finished", NOW)
    await sessions.set_result(case.id, SELLER, "partial_refund", "20 USD", NOW)
    await sessions.create(SELLER, {"ünïcode": "✓"}, NOW + timedelta(minutes=1))
    await sessions.stop_prompts(SELLER, NOW)
    drafts = ReplyDraftRepository(db)
    draft = await drafts.create(SELLER, "fill", {"text": "hi", "posted": False}, NOW)
    await drafts.set_flag(draft.id, "posted", True, NOW)
    jobs = JobRepository(db)
    await jobs.add("reminder", {"text": "due"}, NOW + timedelta(days=1), user_id=SELLER, session_id=case.id, now=NOW)


async def all_rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: [tuple(row) for row in await db.fetch_all(f"SELECT * FROM {table} ORDER BY {key}")]
        for table, key in COPY_TABLES.items()
    }


async def test_the_copy_knows_every_table(db: Database) -> None:
    assert set(await db.table_names()) == set(COPY_TABLES) | DERIVED_TABLES


async def test_round_trip_sqlite_postgresql_sqlite_gives_identical_rows(tmp_path: Path, postgres_url: str) -> None:
    async with await Database.open(tmp_path / "a.sqlite3") as original:
        await original.migrate()
        await fill(original)
        expected = await all_rows(original)
        async with postgres_schema() as schema, await Database.open(POSTGRES_URL, schema=schema) as middle:
            counts = await copy_database(original, middle)
            assert await all_rows(middle) == expected
            async with await Database.open(tmp_path / "b.sqlite3") as back:
                await copy_database(middle, back)
                assert await all_rows(back) == expected
                # The copy is usable, not only equal: search finds the copied templates.
                hits = await ReplyTemplateRepository(back).search("mine", user_id=SELLER)
                assert [h.template.name for h in hits] == ["mine"]
            # New rows after a copy get new ids (the identity moved past the copied ones).
            added = await DisputeSessionRepository(middle).create(SELLER, {}, NOW)
            assert added.id > max(row[0] for row in expected["dispute_sessions"])
    assert counts["dispute_sessions"] == 2 and counts["template_usage"] == 1 and sum(counts.values()) >= 10


async def test_copy_refuses_a_target_that_holds_data(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "a.sqlite3") as source, await Database.open(
        tmp_path / "b.sqlite3"
    ) as target:
        await source.migrate()
        await target.migrate()
        await fill(source)
        await MetaRepository(target).set("k", "v")
        with pytest.raises(Exception, match="already holds data"):
            await copy_database(source, target)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new PostgreSQL database (pg_dump and pg_restore work on whole databases), dropped after."""
    name = f"dd_test_{uuid.uuid4().hex[:16]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    try:
        yield urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(sql: str) -> None:
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        await admin.execute(sql)
    finally:
        await admin.close()


def _cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, url: str) -> str:
    monkeypatch.setenv("DATABASE_URL", url)
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


async def _filled(url: str) -> dict[str, list[tuple[Any, ...]]]:
    async with await Database.open(url) as db:
        await db.migrate()
        await fill(db)
        return await all_rows(db)


async def _rows(url: str) -> tuple[dict[str, list[tuple[Any, ...]]], int]:
    async with await Database.open(url) as db:
        return await all_rows(db), len(await db.migrate())


def test_cli_copy_then_postgresql_backup_and_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    monkeypatch.chdir(tmp_path)
    sqlite_url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    expected = asyncio.run(_filled(sqlite_url))
    with postgres_database() as live:
        out = _cli(monkeypatch, capsys, "db", "copy", "--from", sqlite_url, "--to", live, url=live)
        assert "2 dispute_sessions" in out
        backup = tmp_path / "backups" / "desk.dump"
        out = _cli(monkeypatch, capsys, "db", "backup", str(backup), url=live)
        assert backup.is_file() and "backed up" in out
        asyncio.run(_set_meta(live))  # a change after the backup, which the restore takes back
        _cli(monkeypatch, capsys, "db", "restore", str(backup), url=live)
        assert asyncio.run(_rows(live)) == (expected, 0)


def test_sqlite_restore_keeps_the_replaced_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    expected = asyncio.run(_filled(url))
    _cli(monkeypatch, capsys, "db", "backup", "copy.sqlite3", url=url)
    asyncio.run(_set_meta(url))
    out = _cli(monkeypatch, capsys, "db", "restore", "copy.sqlite3", url=url)
    assert "replaced" in out
    assert asyncio.run(_rows(url)) == (expected, 0)
    kept = [p for p in tmp_path.iterdir() if ".replaced-" in p.name and p.name.endswith("Z")]
    assert len(kept) == 1


async def _set_meta(url: str) -> None:
    async with await Database.open(url) as db:
        await MetaRepository(db).set("after-the-backup", "x")
