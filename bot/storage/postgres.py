"""PostgreSQL, for several bot processes on one database: an asyncpg pool, advisory-locked migrations.

Every statement takes a connection from the pool for itself; a transaction holds one connection for
its whole block, so statements of other coroutines never land inside it. Repositories' ``?`` and
``:name`` placeholders become ``$n`` here, and :data:`~bot.storage.database.NOW_SQL` PostgreSQL's clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from bot.storage.database import (
    NOW_SQL,
    Database,
    Migration,
    MigrationError,
    Params,
    Row,
    StorageError,
    Transaction,
    bundled_migrations,
)
from bot.storage.url import DatabaseUrl

#: The stored time format (see ``to_timestamp``), written by PostgreSQL.
PG_NOW = "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
# A string literal (skipped), a positional placeholder, or a named one (not a ::cast).
_TOKEN = re.compile(r"'(?:[^']|'')*'|\?|(?<![:\w]):([A-Za-z_]\w*)")
# One lock per schema: two test schemas (or two installations in one database) never wait on each other.
_MIGRATION_LOCK = "SELECT pg_advisory_lock(hashtextextended('dispute-desk migrations ' || current_schema(), 0))"
_MIGRATION_UNLOCK = "SELECT pg_advisory_unlock(hashtextextended('dispute-desk migrations ' || current_schema(), 0))"
_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    f" applied_at TEXT NOT NULL DEFAULT {PG_NOW})"
)


@functools.lru_cache(maxsize=2048)
def _translate(sql: str, named: bool) -> tuple[str, tuple[str, ...]]:
    """``sql`` with ``$n`` placeholders, and the parameter names in order (for a mapping)."""
    sql = sql.replace(NOW_SQL, PG_NOW)
    names: list[str] = []
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        text = match.group(0)
        if text.startswith("'"):
            return text
        if text == "?":
            count += 1
            return f"${count}"
        if not named:
            return text
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return _TOKEN.sub(replace, sql), tuple(names)


def translate(sql: str, params: Params) -> tuple[str, list[Any]]:
    if isinstance(params, Mapping):
        text, names = _translate(sql, True)
        return text, [params[name] for name in names]
    text, _ = _translate(sql, False)
    return text, list(params)


def _rowcount(status: str) -> int:
    """asyncpg's command status ("DELETE 3", "INSERT 0 1") as a number of rows."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


async def _leave_as_is(connection: asyncpg.Connection) -> None:
    """A connection goes back to the pool as it is: nothing here changes a session's state (no SET,
    LISTEN or cursor; advisory locks are per transaction, but for the migration lock, which
    ``migrate`` releases itself). asyncpg's default reset cost one more round trip per statement."""


class PostgresDatabase(Database):
    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: DatabaseUrl, schema: str | None) -> None:
        self.pool = pool
        self.url = url
        self.schema = schema
        self.where = url.shown + (f" (schema {schema})" if schema else "")
        #: The connection of each task's open transaction (see ``transaction``).
        self._ambient: dict[asyncio.Task[Any], asyncpg.Connection] = {}

    @classmethod
    async def connect(
        cls, url: DatabaseUrl, *, schema: str | None = None, min_size: int = 1, max_size: int = 10
    ) -> PostgresDatabase:
        """A pool on ``url``; ``schema`` sets the search path (the tests give each test its own)."""
        settings = {"application_name": "dispute-desk"}
        if schema:
            settings["search_path"] = schema
        try:
            pool = await asyncpg.create_pool(
                url.dsn,
                min_size=min_size,
                max_size=max_size,
                server_settings=settings,
                timeout=10,
                reset=_leave_as_is,
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as exc:
            raise StorageError(f"database {url.shown}: cannot connect: {exc}") from exc
        return cls(pool, url, schema)

    async def close(self) -> None:
        await self.pool.close()

    @asynccontextmanager
    async def transaction(self, *, lock: str | None = None) -> AsyncIterator[Transaction]:
        """BEGIN ... COMMIT on a pooled connection, which this task's statements use until the end.

        Inside another transaction of the same task it joins that one (taking ``lock`` there), as
        on SQLite, so repositories compose into one all-or-nothing change.
        """
        task = asyncio.current_task()
        joined = self._ambient.get(task) if task is not None else None
        if joined is not None:
            if lock is not None:
                await joined.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", lock)
            yield _PostgresTransaction(joined)
            return
        async with self.pool.acquire() as connection, connection.transaction():
            if lock is not None:
                await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", lock)
            if task is not None:
                self._ambient[task] = connection
            try:
                yield _PostgresTransaction(connection)
            finally:
                if task is not None:
                    self._ambient.pop(task, None)

    def _joined(self) -> asyncpg.Connection | None:
        """The connection of this task's open transaction, if any: its statements belong there."""
        task = asyncio.current_task()
        return self._ambient.get(task) if task is not None else None

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Transaction]:
        async with self.pool.acquire() as connection, connection.transaction(
            isolation="repeatable_read", readonly=True
        ):
            yield _PostgresTransaction(connection)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        text, args = translate(sql, params)
        return await (self._joined() or self.pool).fetchrow(text, *args)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        text, args = translate(sql, params)
        return list(await (self._joined() or self.pool).fetch(text, *args))

    async def execute(self, sql: str, params: Params = ()) -> None:
        text, args = translate(sql, params)
        await (self._joined() or self.pool).execute(text, *args)

    async def schema_version(self) -> int:
        row = await self.pool.fetchrow("SELECT to_regclass('schema_migrations') IS NOT NULL")
        if not row or not row[0]:
            return 0
        return int(await self.pool.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))

    async def table_names(self) -> list[str]:
        rows = await self.pool.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename != 'schema_migrations' ORDER BY tablename"
        )
        return [row[0] for row in rows]

    async def migrate(self, migrations: Sequence[Migration] | None = None) -> list[Migration]:
        """Apply pending migrations under an advisory lock: of processes starting together, one
        migrates and the others wait, then find nothing pending."""
        migrations = bundled_migrations("postgresql") if migrations is None else migrations
        known = max((m.version for m in migrations), default=0)
        applied: list[Migration] = []
        async with self.pool.acquire() as connection:
            await connection.execute(_MIGRATION_LOCK)
            try:
                await connection.execute(_VERSION_TABLE)
                current = int(await connection.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))
                if current > known:
                    raise self._too_new(current, known)
                for migration in migrations:
                    if migration.version <= current:
                        continue
                    try:
                        async with connection.transaction():
                            await connection.execute(migration.sql)
                            await connection.execute(
                                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                                migration.version,
                                migration.name,
                            )
                    except asyncpg.PostgresError as exc:
                        raise MigrationError(
                            f"migration {migration.version:04d}_{migration.name} failed: {exc}; "
                            f"the database stays at version {current}"
                        ) from exc
                    current = migration.version
                    applied.append(migration)
            finally:
                with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                    await connection.execute(_MIGRATION_UNLOCK)
                with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                    await connection.reset()  # the pool leaves connections as they are: drop every session lock
        return applied


class _PostgresTransaction:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        text, args = translate(sql, params)
        return _rowcount(await self._connection.execute(text, *args))

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        if not rows:
            return
        text, _ = translate(sql, rows[0])
        await self._connection.executemany(text, [translate(sql, row)[1] for row in rows])

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        text, args = translate(sql, params)
        return await self._connection.fetchrow(text, *args)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        text, args = translate(sql, params)
        return list(await self._connection.fetch(text, *args))
