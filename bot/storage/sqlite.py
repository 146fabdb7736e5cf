"""SQLite, the embedded default: one aiosqlite connection, a lock so transactions run alone, online backup."""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.errors import DisputeDeskError
from bot.storage.database import (
    Database,
    Migration,
    MigrationError,
    Params,
    Row,
    StorageError,
    Transaction,
    bundled_migrations,
    storage_error,
)


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


class SqliteDatabase(Database):
    """One aiosqlite connection in autocommit mode; group writes with ``transaction()``.

    The connection is shared by every coroutine, so a lock makes a transaction exclusive: a statement
    of another coroutine waits until the COMMIT instead of landing inside someone else's transaction
    (and being rolled back with it). Statements inside the transaction's own block skip the lock.
    """

    dialect = "sqlite"

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        self.where = str(path)
        self._lock = asyncio.Lock()
        # The task inside a transaction block: its own statements must not wait for the lock it holds.
        # (A task, not a context variable: tasks started inside the block inherit the context, and
        # their statements must wait like everyone else's.)
        self._owner: asyncio.Task[Any] | None = None

    @classmethod
    async def connect(cls, path: Path | str) -> SqliteDatabase:
        """Open (creating the folder and file if needed) with WAL and foreign keys on."""
        path = Path(path)
        try:
            if str(path) != ":memory:":
                path.parent.mkdir(parents=True, exist_ok=True)
                # Private to the bot's user; SQLite gives its -wal and -shm files the same mode.
                os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            # Not checked for the thread: single statements use it from the event loop's thread too.
            connection = await aiosqlite.connect(path, isolation_level=None, check_same_thread=False)
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

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        if self._owner is not None and self._owner is asyncio.current_task():
            yield
            return
        async with self._lock:
            yield

    @asynccontextmanager
    async def transaction(self, *, lock: str | None = None) -> AsyncIterator[Transaction]:
        """BEGIN IMMEDIATE ... COMMIT (the file's write lock, so ``lock`` needs nothing more).

        Inside another transaction of the same task it joins that one: a repository that keeps its
        own writes together can then be part of a larger all-or-nothing change (an import).
        """
        if self._owner is not None and self._owner is asyncio.current_task():
            yield _DirectTransaction(self.connection._conn)
            return
        async with self._exclusive():
            self._owner = asyncio.current_task()
            try:
                self._run("BEGIN IMMEDIATE", ()).close()
                try:
                    yield _DirectTransaction(self.connection._conn)
                except BaseException:
                    self._run("ROLLBACK", ()).close()
                    raise
                self._run("COMMIT", ()).close()
            finally:
                self._owner = None

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Transaction]:
        """A deferred read transaction: WAL lets the bot keep writing while it is open."""
        async with self._exclusive():
            self._owner = asyncio.current_task()
            try:
                await self.connection.execute("BEGIN")
                try:
                    yield _SqliteTransaction(self.connection)
                finally:
                    await self.connection.execute("ROLLBACK")
            finally:
                self._owner = None

    # Statements and transactions run on the event loop's own thread, on the connection aiosqlite's
    # thread holds (the lock above keeps the two from using it at once). The bot's statements take
    # microseconds, and a trip to aiosqlite's thread (a queue put, a wake-up of the loop, the GIL
    # handed over and back) cost more than the statement: under 1,000 sellers the trips were a third
    # of the bot's time (`make bench` section 2), and a step that awaits no trip is ready at once.
    # Long work (migrations, backups, a snapshot being copied) still runs in that thread.
    # Single-process mode means no other writer holds the file, so nothing waits on busy_timeout.
    # A statement runs without awaiting anything, so it needs the lock only to wait for a transaction
    # of another task to end: with none open it runs at once (no lock taken, no context manager).
    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        if self._free():
            return self._run(sql, params).fetchone()
        async with self._exclusive():
            return self._run(sql, params).fetchone()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        if self._free():
            return self._run(sql, params).fetchall()
        async with self._exclusive():
            return self._run(sql, params).fetchall()

    async def execute(self, sql: str, params: Params = ()) -> None:
        if self._free():
            self._run(sql, params).close()
            return
        async with self._exclusive():
            self._run(sql, params).close()

    def _free(self) -> bool:
        """No transaction of another task is open (the current task's own one does not count)."""
        return not self._lock.locked() or (self._owner is not None and self._owner is asyncio.current_task())

    def _run(self, sql: str, params: Params) -> sqlite3.Cursor:
        return self.connection._conn.execute(sql, params)

    async def schema_version(self) -> int:
        await self._ensure_version_table()
        row = await self.fetch_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        return int(row[0]) if row else 0

    async def table_names(self) -> list[str]:
        rows = await self.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'schema_migrations' "
            "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' "
            "AND name NOT LIKE '%_fts_%' ORDER BY name"
        )
        return [row[0] for row in rows]

    async def migrate(self, migrations: Sequence[Migration] | None = None) -> list[Migration]:
        """Apply pending migrations, each in its own transaction that first claims its version row.

        Two processes migrating at once: the second one's claim fails on the version's primary key
        (SQLite's write lock orders them), it rolls back, sees the version applied, and moves on.
        """
        migrations = bundled_migrations("sqlite") if migrations is None else migrations
        try:
            current = await self.schema_version()
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc) from exc
        known = max((m.version for m in migrations), default=0)
        if current > known:
            raise self._too_new(current, known)
        applied: list[Migration] = []
        for migration in migrations:
            if migration.version <= current:
                continue
            # executescript runs statements one by one; our explicit BEGIN/COMMIT make it atomic.
            # The name is [a-z0-9_] (checked when found) and the version an int: no injection here.
            script = (
                "BEGIN IMMEDIATE;\n"
                "INSERT INTO schema_migrations (version, name) "
                f"VALUES ({migration.version:d}, '{migration.name}');\n"
                f"{migration.sql}\n;"
                "COMMIT;"
            )
            async with self._exclusive():
                try:
                    await self.connection.executescript(script)
                except sqlite3.Error as exc:
                    if self.connection.in_transaction:
                        await self.connection.execute("ROLLBACK")
                    if not (isinstance(exc, sqlite3.IntegrityError) and await self._applied(migration.version)):
                        raise MigrationError(
                            f"migration {migration.version:04d}_{migration.name} failed: {exc}; "
                            f"the database stays at version {current}"
                        ) from exc
                    current = migration.version  # another process applied it meanwhile
                    continue
            current = migration.version
            applied.append(migration)
        return applied

    async def _applied(self, version: int) -> bool:
        async with self.connection.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)) as cur:
            return await cur.fetchone() is not None

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
        async with self._exclusive():
            await self._check_integrity(self.path, self.connection)
            return await self._backup_checked(destination, pages_per_step, progress)

    async def _backup_checked(
        self, destination: Path, pages_per_step: int, progress: Callable[[int, int, int], None] | None
    ) -> Path:
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
        await self.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
        )


class _DirectTransaction:
    """A transaction's statements, run on the event loop's thread (see SqliteDatabase.fetch_one)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = self._connection.execute(sql, params)
        changed = cursor.rowcount
        cursor.close()
        return changed

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        self._connection.executemany(sql, rows).close()

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        return self._connection.execute(sql, params).fetchone()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return self._connection.execute(sql, params).fetchall()


class _SqliteTransaction:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._connection.execute(sql, params) as cursor:
            return cursor.rowcount

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        await self._connection.executemany(sql, rows)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        return next(iter(await self._connection.execute_fetchall(sql, params)), None)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._connection.execute_fetchall(sql, params))
