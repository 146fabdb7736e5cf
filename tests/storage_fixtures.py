"""Storage fixtures: a real, migrated database on each engine, SQLite always, PostgreSQL when reachable.

``db`` runs its test twice, on an SQLite file in the test's temporary folder and on PostgreSQL in a
schema of the test process's own, emptied before each test (so tests under pytest-xdist never see
each other's rows); ``fresh_db`` (unmigrated) gets a new schema per test, dropped after.
PostgreSQL is ``DISPUTE_DESK_TEST_POSTGRES_URL`` (default: the local ``test`` database); when it
cannot be reached those runs are left out, with one line at the end saying why, unless
``DISPUTE_DESK_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) makes them run and fail.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest

from bot.storage import Database
from bot.storage.url import parse_database_url

BACKENDS = ("sqlite", "postgresql")
POSTGRES_URL = os.environ.get("DISPUTE_DESK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("DISPUTE_DESK_REQUIRE_POSTGRES", "") not in ("", "0")
_unreachable: list[str | None] = []  # one answer per test process
T = TypeVar("T")


async def _check_postgres() -> str | None:
    try:
        connection = await asyncpg.connect(POSTGRES_URL, timeout=3)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        shown = parse_database_url(POSTGRES_URL).shown
        return f"PostgreSQL not reachable at {shown} ({type(exc).__name__}: {exc})"
    await connection.close()
    return None


def postgres_unreachable() -> str | None:
    """Why PostgreSQL cannot be used for tests, or None when it can (asked once per process)."""
    if not _unreachable:
        # In a thread of its own: this may be called while a test's event loop runs.
        _unreachable.append(_in_thread(_check_postgres()))
    return _unreachable[0]


@pytest.fixture
def postgres_url() -> str:
    """The test PostgreSQL; skips (one line for all) or, with DISPUTE_DESK_REQUIRE_POSTGRES=1, fails."""
    reason = postgres_unreachable()
    if reason is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"{reason}, and DISPUTE_DESK_REQUIRE_POSTGRES=1 requires it", pytrace=False)
        pytest.skip(f"{reason}; set DISPUTE_DESK_REQUIRE_POSTGRES=1 to fail instead")
    return POSTGRES_URL


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[str]:
    """A new, empty schema on the test PostgreSQL, dropped with everything in it afterwards.

    Only for tests that took the ``postgres_url`` fixture (which skips when PostgreSQL is away)."""
    name = f"test_{uuid.uuid4().hex[:20]}"
    admin = await asyncpg.connect(POSTGRES_URL, timeout=10)
    try:
        await admin.execute(f'CREATE SCHEMA "{name}"')
        yield name
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        await admin.close()


@asynccontextmanager
async def open_database(backend: str, tmp_path: Path, **options: object) -> AsyncIterator[Database]:
    """A new, unmigrated database on ``backend``, closed (and on PostgreSQL dropped) afterwards."""
    if backend == "sqlite":
        async with await Database.open(tmp_path / "db.sqlite3") as database:
            yield database
        return
    async with postgres_schema() as schema, await Database.open(POSTGRES_URL, schema=schema, **options) as database:
        yield database


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Which engine this run of the test uses."""
    if request.param == "postgresql":
        request.getfixturevalue("postgres_url")
    return str(request.param)


@pytest.fixture
async def fresh_db(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A new database with no migration applied yet, on each engine (PostgreSQL: a schema of its own)."""
    async with open_database(backend, tmp_path) as database:
        yield database


def _in_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _create_migrated_schema(name: str) -> None:
    admin = await asyncpg.connect(POSTGRES_URL, timeout=10)
    try:
        await admin.execute(f'CREATE SCHEMA "{name}"')
    finally:
        await admin.close()
    async with await Database.open(POSTGRES_URL, schema=name, max_size=1) as database:
        await database.migrate()


async def _drop_schema(name: str) -> None:
    admin = await asyncpg.connect(POSTGRES_URL, timeout=10)
    try:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def migrated_postgres_schema() -> Iterator[str]:
    """One migrated schema per test process (xdist worker), emptied before each test that uses it:
    migrating a new schema for every test would cost more than most of the tests."""
    name = f"test_worker_{uuid.uuid4().hex[:16]}"
    _in_thread(_create_migrated_schema(name))
    try:
        yield name
    finally:
        _in_thread(_drop_schema(name))


@pytest.fixture
async def db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """A migrated database holding no rows, on each engine, closed after the test.

    SQLite: a new file. PostgreSQL: this process's migrated schema, every table emptied (identities
    restarted), so a test under pytest-xdist never sees another's rows.
    """
    if backend == "sqlite":
        async with await Database.open(tmp_path / "db.sqlite3") as database:
            await database.migrate()
            yield database
        return
    schema = request.getfixturevalue("migrated_postgres_schema")
    async with await Database.open(POSTGRES_URL, schema=schema) as database:
        tables = ", ".join(f'"{table}"' for table in await database.table_names())
        await database.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        yield database


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    """For the tests of SQLite's own behaviour (files, pragmas, the online backup)."""
    async with await Database.open(tmp_path / "db.sqlite3") as database:
        await database.migrate()
        yield database


def _needs_postgres(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    on_postgres = callspec is not None and callspec.params.get("backend") == "postgresql"
    return on_postgres or "postgres_url" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without PostgreSQL, its runs are left out (one summary line says why) rather than skipped one
    by one; with DISPUTE_DESK_REQUIRE_POSTGRES=1 they stay, and fail in the ``postgres_url`` fixture."""
    if REQUIRE_POSTGRES or not any(_needs_postgres(item) for item in items) or postgres_unreachable() is None:
        return
    left_out = [item for item in items if _needs_postgres(item)]
    config.hook.pytest_deselected(items=left_out)
    items[:] = [item for item in items if not _needs_postgres(item)]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # Under pytest-xdist the workers collect and leave tests out; this (controller) process asks itself.
    if REQUIRE_POSTGRES or postgres_unreachable() is None:
        return
    terminalreporter.write_line(
        f"SKIPPED the storage tests on PostgreSQL (left out): {_unreachable[0]}; "
        "set DISPUTE_DESK_REQUIRE_POSTGRES=1 to fail instead"
    )
