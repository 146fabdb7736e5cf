"""The database connection, its migrations and online backup."""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.errors import DisputeDeskError

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def to_timestamp(moment: datetime) -> str:
    """How times are stored: UTC, ISO 8601 with milliseconds and a Z, as SQLite's strftime writes them."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def from_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class MigrationError(DisputeDeskError):
    """A migration failed; the database was left at the previous version."""


class StorageError(DisputeDeskError):
    """The database file cannot be opened or used (corrupt, not a database, no permission…)."""


class SchemaTooNewError(StorageError):
    """The database was migrated by a newer version of Dispute Desk than this one."""


def storage_error(path: Path | str, exc: sqlite3.Error) -> StorageError:
    """One line naming the file, for an sqlite3 error raised while using it."""
    return StorageError(f"database {path}: {exc}")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The migrations shipped in ``bot/storage/migrations``, in version order."""
    found: list[Migration] = []
    for entry in resources.files("bot.storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"migrations must be numbered 0001, 0002, ... without gaps; found {versions}")
    return found


def _publish(temporary: Path, destination: Path) -> None:
    """Give the finished copy its final name, never replacing a file that appeared meanwhile."""
    try:
        destination.hardlink_to(temporary)
    except FileExistsError:
        raise DisputeDeskError(f"{destination} already exists; choose a new file name") from None
    except OSError:  # no hard links on this file system: a rename is still atomic
        if destination.exists():
            raise DisputeDeskError(f"{destination} already exists; choose a new file name") from None
        temporary.replace(destination)


@contextmanager
def single_process(path: Path | str) -> Iterator[Path]:
    """Hold ``<database>.lock`` for as long as the bot runs: SQLite mode is one process.

    A second bot on the same file would run with no warning and serve stale cached cases. The
    lock is advisory (flock) and dies with the process, so a crash never leaves it behind.
    """
    lock_path = Path(f"{path}.lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:  # DATABASE_PATH under a file, or in a folder the bot may not write
        raise StorageError(f"database {path}: cannot create {lock_path}: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise StorageError(
                f"database {path} is in use by another Dispute Desk process (pid {holder}); "
                "stop it first (one bot process per SQLite file)"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield lock_path
    finally:
        os.close(descriptor)  # releases the lock


class Database:
    """One aiosqlite connection in autocommit mode; group writes with ``transaction()``."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open (creating the folder and file if needed) with WAL and foreign keys on."""
        path = Path(path)
        try:
            if str(path) != ":memory:":
                path.parent.mkdir(parents=True, exist_ok=True)
                # Private to the bot's user; SQLite gives its -wal and -shm files the same mode.
                os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            connection = await aiosqlite.connect(path, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"database {path}: cannot open: {exc}") from exc
        # From here on the connection owns a (non-daemon) thread: close it on every failure, or
        # the process never exits.
        try:
            connection.row_factory = aiosqlite.Row
            await connection.execute("PRAGMA busy_timeout=5000")
            await connection.execute("PRAGMA journal_mode=WAL")
            await connection.execute("PRAGMA foreign_keys=ON")
            await connection.execute("PRAGMA synchronous=NORMAL")
        except BaseException as exc:
            await connection.close()
            if isinstance(exc, sqlite3.Error):
                raise storage_error(path, exc) from exc
            raise
        return cls(connection, path)

    async def close(self) -> None:
        await self.connection.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when the block raises."""
        await self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield self.connection
        except BaseException:
            await self.connection.execute("ROLLBACK")
            raise
        await self.connection.execute("COMMIT")

    async def fetch_one(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> aiosqlite.Row | None:
        async with self.connection.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[aiosqlite.Row]:
        async with self.connection.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> None:
        await self.connection.execute(sql, params)

    async def schema_version(self) -> int:
        """The highest applied migration, 0 for a new database."""
        await self._ensure_version_table()
        row = await self.fetch_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        return int(row[0]) if row else 0

    async def migrate(self, migrations: Sequence[Migration] | None = None) -> list[Migration]:
        """Apply pending migrations in order, each inside its own transaction; return those applied."""
        migrations = bundled_migrations() if migrations is None else migrations
        try:
            current = await self.schema_version()
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc) from exc
        known = max((m.version for m in migrations), default=0)
        if current > known:
            raise SchemaTooNewError(
                f"database {self.path} is at schema version {current}, newer than this version of "
                f"Dispute Desk knows ({known}); run the newer version or restore a backup"
            )
        applied: list[Migration] = []
        for migration in migrations:
            if migration.version <= current:
                continue
            # executescript runs statements one by one; our explicit BEGIN/COMMIT make it atomic.
            # The name is [a-z0-9_] (checked when found) and the version an int: no injection here.
            script = (
                "BEGIN IMMEDIATE;\n"
                f"{migration.sql}\n;"
                "INSERT INTO schema_migrations (version, name) "
                f"VALUES ({migration.version:d}, '{migration.name}');\n"
                "COMMIT;"
            )
            try:
                await self.connection.executescript(script)
            except sqlite3.Error as exc:
                if self.connection.in_transaction:
                    await self.connection.execute("ROLLBACK")
                raise MigrationError(
                    f"migration {migration.version:04d}_{migration.name} failed: {exc}; "
                    f"the database stays at version {current}"
                ) from exc
            current = migration.version
            applied.append(migration)
        return applied

    async def backup(
        self,
        destination: Path | str,
        *,
        pages_per_step: int = 1024,
        progress: Callable[[int, int, int], None] | None = None,
    ) -> Path:
        """Copy the live database to ``destination``: checked first, then written atomically.

        The source must pass ``PRAGMA integrity_check``; the copy is written to a temporary file
        beside ``destination``, checked again, and only then given its final name, so a crash or
        a kill mid-copy never leaves a partial file that looks like a backup. ``progress`` is
        sqlite3's backup callback (remaining, total pages), called after each step.
        """
        destination = Path(destination)
        if destination.exists():
            raise DisputeDeskError(f"{destination} already exists; choose a new file name")
        await self._check_integrity(self.path, self.connection)
        destination.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary_name = tempfile.mkstemp(
            prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent
        )
        os.close(handle)
        temporary = Path(temporary_name)
        try:
            target = await aiosqlite.connect(temporary)
            try:
                await self.connection.backup(
                    target, pages=pages_per_step, progress=progress, sleep=0
                )
                await self._check_integrity(destination, target)
            finally:
                await target.close()
            _publish(temporary, destination)
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc) from exc
        finally:
            for leftover in (temporary, temporary.with_name(temporary.name + "-journal")):
                leftover.unlink(missing_ok=True)
        return destination

    @staticmethod
    async def _check_integrity(path: Path, connection: aiosqlite.Connection) -> None:
        try:
            async with connection.execute("PRAGMA integrity_check") as cursor:
                rows = [" ".join(str(row[0]).split()) for row in await cursor.fetchmany(3)]
        except sqlite3.Error as exc:
            raise storage_error(path, exc) from exc
        if rows != ["ok"]:
            raise StorageError(f"database {path} failed its integrity check: {'; '.join(rows)}")

    async def _ensure_version_table(self) -> None:
        await self.connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
        )
