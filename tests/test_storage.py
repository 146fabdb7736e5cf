"""Storage on both engines: migrations (once, under a lock), transactions, the meta repository, backup."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.storage import Database, MetaRepository, MigrationError
from bot.storage.database import Migration, bundled_migrations
from tests.storage_fixtures import POSTGRES_URL, postgres_schema


async def test_new_database_is_migrated_to_latest(fresh_db: Database) -> None:
    assert await fresh_db.schema_version() == 0
    applied = await fresh_db.migrate()
    assert [m.version for m in applied] == [m.version for m in bundled_migrations(fresh_db.dialect)]
    assert await fresh_db.schema_version() == bundled_migrations()[-1].version
    assert await fresh_db.migrate() == []
    assert "dispute_sessions" in await fresh_db.table_names()


def test_both_engines_have_the_same_numbered_migrations() -> None:
    sqlite, postgresql = bundled_migrations("sqlite"), bundled_migrations("postgresql")
    assert [(m.version, m.name) for m in sqlite] == [(m.version, m.name) for m in postgresql]
    assert all(m.sql.strip() for m in postgresql)


async def test_sqlite_file_is_created_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "db.sqlite3"
    async with await Database.open(path) as db:
        await db.migrate()
        mode = await db.fetch_one("PRAGMA journal_mode")
        keys = await db.fetch_one("PRAGMA foreign_keys")
    assert path.exists()
    assert mode is not None and mode[0] == "wal"
    assert keys is not None and keys[0] == 1


async def test_failing_migration_rolls_back_and_keeps_version(fresh_db: Database) -> None:
    good = Migration(1, "good", "CREATE TABLE a (x INTEGER);")
    bad = Migration(2, "bad", "CREATE TABLE b (y INTEGER); INSERT INTO missing VALUES (1);")
    await fresh_db.migrate([good])
    with pytest.raises(MigrationError, match="0002_bad failed"):
        await fresh_db.migrate([good, bad])
    assert await fresh_db.schema_version() == 1
    assert await fresh_db.table_names() == ["a"]


_MIGRATOR = """
import asyncio, json, sys
from bot.storage import Database

async def main(url, schema):
    options = {"schema": schema} if schema else {}
    async with await Database.open(url, **options) as db:
        applied = await db.migrate()
    print(json.dumps([m.version for m in applied]))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def _run_migrators(count: int, url: str, schema: str) -> list[list[int]]:
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", _MIGRATOR, url, schema, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(count)
    ]
    results = [await process.communicate() for process in processes]
    assert all(process.returncode == 0 for process in processes), [err.decode() for _, err in results]
    return [json.loads(out) for out, _ in results]


async def test_concurrent_migrators_apply_each_migration_exactly_once(backend: str, tmp_path: Path) -> None:
    """Three processes start at once on one new database: each migration is applied by exactly one."""
    expected = [m.version for m in bundled_migrations()]
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        applied = await _run_migrators(3, url, "")
        async with await Database.open(url) as db:
            versions = [row[0] for row in await db.fetch_all("SELECT version FROM schema_migrations ORDER BY 1")]
    else:
        async with postgres_schema() as schema:
            applied = await _run_migrators(3, POSTGRES_URL, schema)
            async with await Database.open(POSTGRES_URL, schema=schema) as db:
                versions = [row[0] for row in await db.fetch_all("SELECT version FROM schema_migrations ORDER BY 1")]
    assert sorted(v for run in applied for v in run) == expected
    assert versions == expected


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    meta = MetaRepository(db)
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
    assert await meta.get("a") is None


async def test_statements_of_other_coroutines_never_run_inside_a_transaction(db: Database) -> None:
    """A write made meanwhile by another coroutine survives the transaction's rollback."""
    meta = MetaRepository(db)
    other_done: list[asyncio.Future[object]] = []

    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('mine', '1')")
            other_done.append(asyncio.ensure_future(meta.set("theirs", "2")))
            for _ in range(20):  # let the other coroutine run as far as it can
                await asyncio.sleep(0)
            raise RuntimeError("roll back")
    await other_done[0]
    assert await meta.get("mine") is None
    theirs = await meta.get("theirs")
    assert theirs is not None and theirs.value == "2"


async def test_meta_set_get_and_update(db: Database) -> None:
    meta = MetaRepository(db)
    first = await meta.set("commands_hash:global", "abc")
    assert first.value == "abc"
    second = await meta.set("commands_hash:global", "def")
    assert (await meta.get("commands_hash:global")) == second
    assert second.value == "def"


async def test_online_backup_copies_everything(sqlite_db: Database, tmp_path: Path) -> None:
    from bot.storage.sqlite import SqliteDatabase

    assert isinstance(sqlite_db, SqliteDatabase)
    target = tmp_path / "backups" / "copy.sqlite3"
    await MetaRepository(sqlite_db).set("k", "v")
    await sqlite_db.backup(target)
    with pytest.raises(Exception, match="already exists"):
        await sqlite_db.backup(target)
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT value FROM meta WHERE key = 'k'").fetchone() == ("v",)
