"""Backups, restores and copies between engines: `db backup`, `db restore`, `db copy`.

SQLite is backed up with its online backup API (safe while the bot runs) and restored by putting the
file back. PostgreSQL is backed up with ``pg_dump --format=custom`` and restored with ``pg_restore``
(the PostgreSQL client tools, of the server's major version or newer). ``copy_database`` moves every
row from one database to another, SQLite to PostgreSQL or back, through the same repositories' SQL.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from bot.errors import DisputeDeskError
from bot.storage.database import Database, StorageError, bundled_migrations
from bot.storage.sqlite import SqliteDatabase, single_process
from bot.storage.url import DatabaseUrl

#: Every table, in an order that respects foreign keys, with the key its rows are read in.
#: A new migration's table must be added here (a test compares this with the live schema).
COPY_TABLES: dict[str, str] = {
    "meta": "key",
    "profiles": "user_id",
    "reply_templates": "id",
    "template_usage": "user_id, template_id",
    "template_versions": "template_id, version",
    "template_suggestions": "id",
    "template_daily_uses": "template_id, day",
    "guild_settings": "guild_id",
    "dispute_sessions": "id",
    "reply_drafts": "id",
    "scheduled_jobs": "id",
    "result_prompt_optouts": "user_id",
    "cooldowns": "name, user_id",
}
#: Tables the database keeps itself, from the tables above (by triggers): the copy rebuilds them.
DERIVED_TABLES = frozenset({"server_library_stamps"})
_BATCH = 1_000


async def backup(url: DatabaseUrl, destination: Path) -> Path:
    """Copy the live database to the new file ``destination`` (never replacing one)."""
    _check_paths(new=destination, existing=url.path, what="back up")
    if url.path is not None:
        db = await SqliteDatabase.connect(url.path)
        async with db:
            return await db.backup(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent)
    os.close(handle)
    try:
        await _pg_tool("pg_dump", url, "--format=custom", "--no-owner", f"--file={partial}")
        os.link(partial, destination)
    except FileExistsError:
        raise DisputeDeskError(f"{destination} already exists; choose a new file name") from None
    finally:
        _remove(partial)
    return destination


def _remove(path: str) -> None:
    Path(path).unlink(missing_ok=True)


def _check_paths(*, new: Path | None = None, existing: Path | None = None, what: str) -> None:
    if new is not None and new.exists():
        raise DisputeDeskError(f"{new} already exists; choose a new file name")
    if existing is not None and not existing.is_file():
        raise DisputeDeskError(f"{existing} does not exist: nothing to {what}")


async def restore(url: DatabaseUrl, source: Path) -> str:
    """Put the backup ``source`` back as the database; say what happened to the one it replaces.

    SQLite: the backup is checked, the current file is kept beside it as ``….replaced-<time>``, and
    the bot must be stopped (its lock is taken). PostgreSQL: ``pg_restore --clean`` into the
    database of ``url``, in one transaction: stop the bot processes first.
    """
    _check_paths(existing=source, what="restore")
    if url.path is None:
        await _pg_tool(
            "pg_restore", url, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
            str(source),
        )  # fmt: skip
        return f"restored {source} into {url.shown}"
    return _restore_sqlite(source, url.path)


def _restore_sqlite(source: Path, target: Path) -> str:
    _check_sqlite_backup(source)
    with single_process(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        os.close(handle)
        try:
            shutil.copyfile(source, partial)
            Path(partial).chmod(0o600)
            kept = ""
            if target.exists():
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
                aside = target.with_name(f"{target.name}.replaced-{stamp}")
                for suffix in ("", "-wal", "-shm"):
                    current = Path(f"{target}{suffix}")
                    if current.exists():
                        current.replace(Path(f"{aside}{suffix}"))
                kept = f"; the database it replaced is {aside}"
            Path(partial).replace(target)
        finally:
            Path(partial).unlink(missing_ok=True)
    return f"restored {source} to {target}{kept}"


def _check_sqlite_backup(source: Path) -> None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as check:
            result = check.execute("PRAGMA integrity_check").fetchone()
            has_versions = check.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            ).fetchone()
        check.close()
    except sqlite3.Error as exc:
        raise StorageError(f"backup {source}: {exc}") from exc
    if not result or result[0] != "ok":
        raise StorageError(f"backup {source} failed its integrity check: {result[0] if result else 'no answer'}")
    if not has_versions:
        raise StorageError(f"backup {source} is not a Dispute Desk database (no schema_migrations table)")


async def _pg_tool(tool: str, url: DatabaseUrl, *args: str) -> None:
    """Run pg_dump or pg_restore on ``url``; the password goes through the environment, not argv."""
    program = shutil.which(tool)
    if program is None:
        raise DisputeDeskError(
            f"{tool} not found: install the PostgreSQL client tools (e.g. the postgresql-client package) "
            "of the server's major version or newer"
        )
    assert url.dsn is not None
    parts = urlsplit(url.dsn)
    env = dict(os.environ)
    dsn = url.dsn
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        host = parts.netloc.rsplit("@", 1)[-1]
        user = parts.username or ""
        dsn = urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))
    process = await asyncio.create_subprocess_exec(
        program, f"--dbname={dsn}", *args, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        lines = [line for line in stderr.decode(errors="replace").splitlines() if line.strip()]
        raise StorageError(f"{tool} on {url.shown} failed: {lines[-1] if lines else f'exit {process.returncode}'}")


async def copy_database(source: Database, target: Database) -> dict[str, int]:
    """Copy every row of ``source`` into the empty, migrated ``target``; return rows per table.

    The source is read in one consistent snapshot (it may be live); the target is written in one
    transaction, so a failed copy leaves it empty. Both must be at this version's schema.
    """
    latest = bundled_migrations()[-1].version
    version = await source.schema_version()
    if version != latest:
        raise StorageError(
            f"database {source.where} is at schema version {version}, not {latest}: "
            "run `dispute-desk db migrate` on it with this version first"
        )
    await target.migrate()
    for db in (source, target):
        unknown = sorted(set(await db.table_names()) - set(COPY_TABLES) - DERIVED_TABLES)
        if unknown:
            raise StorageError(f"database {db.where} has tables this copy does not know: {', '.join(unknown)}")
    for table in COPY_TABLES:
        row = await target.fetch_one(f"SELECT 1 FROM {table} LIMIT 1")
        if row is not None:
            raise StorageError(f"database {target.where} already holds data ({table}); copy into an empty database")
    copied: dict[str, int] = {}
    async with source.snapshot() as reader, target.transaction() as writer:
        for table, key in COPY_TABLES.items():
            copied[table] = 0
            while True:
                rows = await reader.fetch_all(
                    f"SELECT * FROM {table} ORDER BY {key} LIMIT ? OFFSET ?", (_BATCH, copied[table])
                )
                if not rows:
                    break
                columns = list(rows[0].keys())
                marks = ", ".join("?" for _ in columns)
                await writer.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    [tuple(row[c] for c in columns) for row in rows],
                )
                copied[table] += len(rows)
        if target.dialect == "postgresql":
            # Explicit ids were inserted: move each identity past them, or the next insert collides.
            for table, key in COPY_TABLES.items():
                if key == "id":
                    await writer.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                    )
    return copied
