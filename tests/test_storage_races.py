"""Several writers on one database, each with its own connection (as two bot processes have), on both
engines: a wizard save that lost a race is refused, "Post here" posts once, the template cap and the cooldowns hold."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import Database
from bot.storage.cooldowns import CooldownRepository
from bot.storage.dispute_sessions import DisputeSessionRepository, StaleSession
from bot.storage.postgres import PostgresDatabase
from bot.storage.reply_drafts import ReplyDraftRepository
from bot.storage.reply_templates import ReplyTemplateRepository, TemplateCapReached, TemplateRecord
from bot.storage.scheduled_jobs import JobRepository
from bot.storage.sqlite import SqliteDatabase

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
WRITERS = 6


@pytest.fixture
async def other(db: Database) -> AsyncIterator[Database]:
    """A second, independent handle on the same database: another process's view of it."""
    if isinstance(db, SqliteDatabase):
        second = await Database.open(db.path)
    else:
        assert isinstance(db, PostgresDatabase)
        second = await Database.open(db.url, schema=db.schema)
    async with second:
        yield second


async def test_of_two_saves_from_one_read_one_wins_and_the_other_is_refused(db: Database, other: Database) -> None:
    mine, theirs = DisputeSessionRepository(db), DisputeSessionRepository(other)
    created = await mine.create(5, {"answers": {}}, now=NOW)
    read_here = await mine.get(created.id)
    read_there = await theirs.get(created.id)
    assert read_here is not None and read_there is not None
    results = await asyncio.gather(
        mine.save(read_here, {"answers": {"platform": "fiverr"}}, now=NOW),
        theirs.save(read_there, {"answers": {"platform": "upwork"}}, now=NOW),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], StaleSession) and "already answered" in str(losers[0])
    stored = await mine.get(created.id)
    assert stored is not None and stored.revision == 1
    assert stored.state == winners[0].state  # exactly the winner's state, nothing of the loser's


async def test_many_writers_each_see_only_their_own_successes(db: Database, other: Database) -> None:
    """Every writer reads, then saves +1: the counter ends at the number of saves that succeeded."""
    repos = [DisputeSessionRepository(db), DisputeSessionRepository(other)]
    created = await repos[0].create(5, {"count": 0}, now=NOW)
    successes = 0

    async def writer(repo: DisputeSessionRepository) -> None:
        nonlocal successes
        for _ in range(5):
            current = await repo.get(created.id)
            assert current is not None
            try:
                await repo.save(current, {"count": current.state["count"] + 1}, now=NOW)
            except StaleSession:
                continue
            successes += 1

    await asyncio.gather(*(writer(repos[n % 2]) for n in range(WRITERS)))
    stored = await repos[0].get(created.id)
    assert stored is not None
    assert stored.state["count"] == successes == stored.revision
    assert successes >= 5  # every round has a winner


async def test_post_here_is_claimed_once_across_connections(db: Database, other: Database) -> None:
    draft = await ReplyDraftRepository(db).create(1, "fill", {"text": "hi", "posted": False}, NOW)
    repos = [ReplyDraftRepository(db), ReplyDraftRepository(other)]
    claims = await asyncio.gather(*(repos[n % 2].set_flag(draft.id, "posted", True, NOW) for n in range(WRITERS)))
    assert sorted(claims) == [False] * (WRITERS - 1) + [True]
    stored = await repos[1].get(draft.id)
    assert stored is not None and stored.state == {"text": "hi", "posted": True}


async def test_the_template_cap_holds_across_connections(db: Database, other: Database) -> None:
    repos = [ReplyTemplateRepository(db), ReplyTemplateRepository(other)]
    records = [TemplateRecord(f"t-{n}", "Title", "misc", "", "body") for n in range(WRITERS)]
    results = await asyncio.gather(
        *(repos[n % 2].create("user", 9, records[n], cap=3) for n in range(WRITERS)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == WRITERS - 3 and all(isinstance(r, TemplateCapReached) and r.cap == 3 for r in refused)
    assert await repos[0].count_owned("user", 9) == 3


async def test_two_workers_never_claim_the_same_job(db: Database, other: Database) -> None:
    jobs = [JobRepository(db), JobRepository(other)]
    for n in range(20):
        await jobs[0].add("ping", {"n": n}, NOW, now=NOW)
    claimed = await asyncio.gather(
        *(jobs[n % 2].claim(f"w{n}", NOW, lease=timedelta(minutes=5), limit=4, kinds=("ping",)) for n in range(WRITERS))
    )
    ids = [job.id for batch in claimed for job in batch]
    assert len(ids) == len(set(ids)) == 20


async def test_a_cooldown_holds_across_connections(db: Database, other: Database) -> None:
    """Burst 3: of six actions at the same moment, through two connections, exactly three pass."""
    limits = [CooldownRepository(db), CooldownRepository(other)]
    waits = await asyncio.gather(
        *(limits[n % 2].take("case_from_message", 5, burst=3, every_s=20.0, now=NOW) for n in range(WRITERS))
    )
    assert sorted(waits) == [0.0, 0.0, 0.0, 20.0, 20.0, 20.0]
    assert await limits[1].retry_after("case_from_message", 5, burst=3, every_s=20.0, now=NOW) == 20.0
    # Another user and another limit have buckets of their own.
    assert await limits[0].take("case_from_message", 6, burst=3, every_s=20.0, now=NOW) == 0.0
    assert await limits[0].take("render", 5, burst=3, every_s=20.0, now=NOW) == 0.0


async def test_a_cooldown_refills_over_time_and_idle_buckets_are_purged(db: Database) -> None:
    limits = CooldownRepository(db)
    for _ in range(3):
        assert await limits.take("open", 5, burst=3, every_s=20.0, now=NOW) == 0.0
    assert await limits.take("open", 5, burst=3, every_s=20.0, now=NOW + timedelta(seconds=5)) == 15.0
    assert await limits.take("open", 5, burst=3, every_s=20.0, now=NOW + timedelta(seconds=20)) == 0.0
    assert await limits.purge(timedelta(days=1), NOW + timedelta(hours=23)) == 0
    assert await limits.purge(timedelta(days=1), NOW + timedelta(days=2)) == 1
    assert await limits.retry_after("open", 5, burst=3, every_s=20.0, now=NOW + timedelta(days=2)) == 0.0
