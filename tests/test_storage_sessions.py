"""Wizard sessions on real SQLite: optimistic saves, ownership data, purge of stale ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import Database
from bot.storage.dispute_sessions import DisputeSessionRepository, StaleSession
from bot.storage.scheduled_jobs import JobRepository

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def repo(db: Database) -> DisputeSessionRepository:
    return DisputeSessionRepository(db)


async def test_create_get_and_save(repo: DisputeSessionRepository) -> None:
    created = await repo.create(5, {"answers": {}}, now=NOW)
    assert created.revision == 0 and created.status == "active" and created.created_at == NOW
    saved = await repo.save(created, {"answers": {"platform": "fiverr"}}, now=NOW + timedelta(minutes=1))
    assert saved.revision == 1
    assert (await repo.get(created.id)) == saved
    assert saved.state == {"answers": {"platform": "fiverr"}}


async def test_stale_save_is_refused_and_changes_nothing(repo: DisputeSessionRepository) -> None:
    created = await repo.create(5, {"n": 0})
    await repo.save(created, {"n": 1})
    with pytest.raises(StaleSession):
        await repo.save(created, {"n": 2})
    current = await repo.get(created.id)
    assert current is not None and current.state == {"n": 1}


async def test_latest_active_and_finish(repo: DisputeSessionRepository) -> None:
    first = await repo.create(5, {}, now=NOW)
    second = await repo.create(5, {}, now=NOW + timedelta(minutes=5))
    await repo.create(6, {}, now=NOW + timedelta(minutes=9))
    latest = await repo.latest_active(5)
    assert latest is not None and latest.id == second.id
    await repo.save(second, {}, status="finished", now=NOW + timedelta(minutes=6))
    latest = await repo.latest_active(5)
    assert latest is not None and latest.id == first.id
    assert [s.id for s in await repo.list_active(5)] == [first.id]
    assert await repo.last_started_at(5) == NOW + timedelta(minutes=5)
    assert await repo.last_started_at(99) is None


async def test_purge_removes_only_old_unfinished(repo: DisputeSessionRepository) -> None:
    old = await repo.create(1, {}, now=NOW - timedelta(days=8))
    finished_old = await repo.create(1, {}, now=NOW - timedelta(days=9))
    await repo.save(finished_old, {}, status="finished", now=NOW - timedelta(days=9))
    fresh = await repo.create(1, {}, now=NOW - timedelta(days=1))
    assert await repo.purge_unfinished(timedelta(days=7), now=NOW) == 1
    assert await repo.get(old.id) is None
    assert await repo.get(fresh.id) is not None
    assert await repo.get(finished_old.id) is not None



async def test_result_prompt_is_scheduled_once_per_case_and_never_after_an_opt_out(
    repo: DisputeSessionRepository, db: Database
) -> None:
    first = await repo.create(5, {}, now=NOW)
    second = await repo.create(5, {}, now=NOW)
    other = await repo.create(6, {}, now=NOW)
    due = NOW + timedelta(days=3)

    async def schedule(case: int, user: int) -> bool:
        return await repo.schedule_result_prompt("result_prompt", case, user, {"session_id": case}, due, NOW)

    assert await schedule(first.id, 5) is True
    assert await schedule(first.id, 5) is False  # once per case, however often the outcome is shown
    await repo.stop_prompts(5, NOW)
    assert await schedule(second.id, 5) is False  # the user said no more
    assert await schedule(other.id, 6) is True
    jobs = JobRepository(db)
    scheduled = [
        [(j.session_id, j.user_id, j.payload, j.due_at) for j in await jobs.pending_for_user(user, "result_prompt")]
        for user in (5, 6)
    ]
    assert scheduled == [
        [(first.id, 5, {"session_id": first.id}, due)],
        [(other.id, 6, {"session_id": other.id}, due)],
    ]
