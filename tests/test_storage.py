"""Storage on real SQLite files: migrations, transactions, the meta repository, backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage import Database, MetaRepository, MigrationError
from bot.storage.database import Migration, bundled_migrations


async def test_new_database_is_migrated_to_latest(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "db.sqlite3"
    async with await Database.open(path) as db:
        assert await db.schema_version() == 0
        applied = await db.migrate()
        assert [m.version for m in applied] == [m.version for m in bundled_migrations()]
        assert await db.schema_version() == bundled_migrations()[-1].version
        assert await db.migrate() == []
        mode = await db.fetch_one("PRAGMA journal_mode")
        keys = await db.fetch_one("PRAGMA foreign_keys")
    assert path.exists()
    assert mode is not None and mode[0] == "wal"
    assert keys is not None and keys[0] == 1


async def test_failing_migration_rolls_back_and_keeps_version(tmp_path: Path) -> None:
    good = Migration(1, "good", "CREATE TABLE a (x INTEGER);")
    bad = Migration(2, "bad", "CREATE TABLE b (y INTEGER); INSERT INTO missing VALUES (1);")
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await db.migrate([good])
        with pytest.raises(MigrationError, match="0002_bad failed"):
            await db.migrate([good, bad])
        assert await db.schema_version() == 1
        table_b = await db.fetch_one("SELECT name FROM sqlite_master WHERE name = 'b'")
        assert table_b is None


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await db.migrate()
        meta = MetaRepository(db)
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
                raise RuntimeError("boom")
        assert await meta.get("a") is None


async def test_meta_set_get_and_update(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await db.migrate()
        meta = MetaRepository(db)
        first = await meta.set("commands_hash:global", "abc")
        assert first.value == "abc"
        second = await meta.set("commands_hash:global", "def")
        assert (await meta.get("commands_hash:global")) == second
        assert second.value == "def"


async def test_online_backup_copies_everything(tmp_path: Path) -> None:
    target = tmp_path / "backups" / "copy.sqlite3"
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await db.migrate()
        await MetaRepository(db).set("k", "v")
        await db.backup(target)
        with pytest.raises(Exception, match="already exists"):
            await db.backup(target)
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT value FROM meta WHERE key = 'k'").fetchone() == ("v",)
