"""The database every repository uses: one interface, two engines (SQLite, PostgreSQL), one migration list.

Repositories write SQL with ``?`` placeholders (``:name`` with a mapping) and the SQL both engines share;
where the engines differ (JSON functions, index hints) a repository asks ``db.dialect``. The PostgreSQL
backend turns placeholders into ``$n`` and :data:`NOW_SQL` into its own clock expression.

Migrations live in ``bot/storage/migrations``: ``NNNN_name.sql`` is SQLite's and
``postgresql/NNNN_name.sql`` PostgreSQL's, one pair per number (a missing half is an error).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Protocol

import asyncpg

from bot.errors import DisputeDeskError
from bot.storage.url import DatabaseUrl, parse_database_url

Dialect = Literal["sqlite", "postgresql"]
Params = Sequence[Any] | Mapping[str, Any]
#: A result row: ``row["column"]``, ``row[0]`` and ``row.keys()`` work on both engines.
Row = Any
#: The current UTC time in the stored text format, as SQL (SQLite's spelling; PostgreSQL rewrites it).
NOW_SQL = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
#: A constraint (unique, check, foreign key) refused a write, whichever engine.
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)
#: Anything the engine may raise while running a statement.
ENGINE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError)

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def to_timestamp(moment: datetime) -> str:
    """How times are stored: UTC, ISO 8601 with milliseconds and a Z, as SQLite's strftime writes them."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def from_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class MigrationError(DisputeDeskError):
    """A migration failed; the database was left at the previous version."""


class StorageError(DisputeDeskError):
    """The database cannot be opened or used (corrupt, not a database, no permission, unreachable…)."""


class SchemaTooNewError(StorageError):
    """The database was migrated by a newer version of Dispute Desk than this one."""


#: Every way reading or writing the database can fail, for the callers that report it in one line.
STORAGE_FAILURES: tuple[type[Exception], ...] = (*ENGINE_ERRORS, StorageError)


def storage_error(where: Path | str, exc: BaseException) -> StorageError:
    """One line naming the database, for an engine error raised while using it."""
    return StorageError(f"database {where}: {exc}")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations(dialect: Dialect = "sqlite") -> list[Migration]:
    """The migrations shipped for ``dialect``, in version order, checked against the other dialect's.

    Both engines must have the same numbers with the same names, so that a schema version means the
    same tables on either: adding ``0011_x.sql`` without ``postgresql/0011_x.sql`` fails here.
    """
    found = {name: _read_migrations(name) for name in ("sqlite", "postgresql")}
    names = {d: [(m.version, m.name) for m in found[d]] for d in found}
    if names["sqlite"] != names["postgresql"]:
        only = sorted(set(names["sqlite"]) ^ set(names["postgresql"]))
        raise MigrationError(
            "every migration needs an SQLite and a PostgreSQL file with the same number and name "
            f"(bot/storage/migrations/NNNN_name.sql and postgresql/NNNN_name.sql); unpaired: {only}"
        )
    return found[dialect]


def _read_migrations(dialect: Dialect) -> list[Migration]:
    folder = resources.files("bot.storage.migrations")
    if dialect == "postgresql":
        folder = folder.joinpath("postgresql")
    found = [
        Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if (match := _MIGRATION_NAME.match(entry.name))
    ]
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"{dialect} migrations must be numbered 0001, 0002, ... without gaps; found {versions}")
    return found


class Transaction(Protocol):
    """Statements inside ``Database.transaction()``: all committed together, or none."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return how many rows it changed."""

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None: ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]: ...


class Database:
    """What repositories use. ``Database.open`` picks the engine from a path or a ``DATABASE_URL``."""

    dialect: Dialect
    #: The database as shown in messages: a file path, or the URL without its password.
    where: str

    @staticmethod
    async def open(target: Path | str | DatabaseUrl, **options: Any) -> Database:
        """Open ``target``: a file path, ``sqlite:///path`` or ``postgresql://…``."""
        url = target if isinstance(target, DatabaseUrl) else _as_url(target)
        if url.dialect == "postgresql":
            from bot.storage.postgres import PostgresDatabase

            return await PostgresDatabase.connect(url, **options)
        from bot.storage.sqlite import SqliteDatabase

        assert url.path is not None
        return await SqliteDatabase.connect(url.path, **options)

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def transaction(self, *, lock: str | None = None) -> AbstractAsyncContextManager[Transaction]:
        """BEGIN … COMMIT, or ROLLBACK when the block raises; no other statement runs inside it.

        ``lock`` names something only one writer may change at a time (e.g. one owner's templates
        while counting them against a cap): on PostgreSQL a transaction-scoped advisory lock on the
        name; SQLite's transactions already take the database's single write lock.
        """
        raise NotImplementedError

    def snapshot(self) -> AbstractAsyncContextManager[Transaction]:
        """A read-only view of the database as of the first read, for copies of a live database."""
        raise NotImplementedError

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        raise NotImplementedError

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        raise NotImplementedError

    async def execute(self, sql: str, params: Params = ()) -> None:
        raise NotImplementedError

    async def schema_version(self) -> int:
        """The highest applied migration, 0 for a new database."""
        raise NotImplementedError

    async def migrate(self, migrations: Sequence[Migration] | None = None) -> list[Migration]:
        """Apply pending migrations in order, each in its own transaction, once even when several
        processes start together; return those this call applied."""
        raise NotImplementedError

    async def table_names(self) -> list[str]:
        """The application's tables (not the migration bookkeeping, not search indexes), sorted."""
        raise NotImplementedError

    def _too_new(self, current: int, known: int) -> SchemaTooNewError:
        return SchemaTooNewError(
            f"database {self.where} is at schema version {current}, newer than this version of "
            f"Dispute Desk knows ({known}); run the newer version or restore a backup"
        )


def _as_url(target: Path | str) -> DatabaseUrl:
    text = str(target)
    if "://" in text:
        return parse_database_url(text)
    return DatabaseUrl("sqlite", Path(text), None)

