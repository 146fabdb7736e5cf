"""The PostgreSQL pool: a statement is one round trip, and no session lock outlives a migration."""

from __future__ import annotations

import asyncpg

from bot.storage.postgres import PostgresDatabase
from bot.storage.url import parse_database_url
from tests.storage_fixtures import postgres_schema


async def test_a_statement_is_one_round_trip_and_migrations_leave_no_session_lock(postgres_url: str) -> None:
    async with postgres_schema() as schema:
        db = await PostgresDatabase.connect(parse_database_url(postgres_url), schema=schema, max_size=1)
        try:
            await db.migrate()
            async with db.pool.acquire() as connection:
                backend = connection.get_server_pid()
                seen: list[str] = []
                connection.add_query_logger(lambda record: seen.append(record.query))
            # asyncpg's default pool ran a reset query (RESET ALL, UNLISTEN *, ...) each time a
            # connection went back to the pool: a second round trip for every statement.
            await db.fetch_one("SELECT 1")
            await db.execute("SELECT 2")
            async with db.transaction():
                await db.fetch_all("SELECT 3")
            assert [query for query in seen if "RESET" in query or "UNLISTEN" in query] == []
            assert {"SELECT 1", "SELECT 2", "SELECT 3"} <= set(seen)
            # The migration lock is a session lock: released although the pool keeps the session as is.
            other = await asyncpg.connect(postgres_url)
            try:
                held = await other.fetchval(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = $1", backend
                )
            finally:
                await other.close()
            assert held == 0
        finally:
            await db.close()
