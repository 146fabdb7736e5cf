"""1,000 sellers run the S1 wizard at once against the real bot process: nothing late, lost or mixed."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.botprocess import BotProcess
from tests.crowd import mixed_up_sessions, run_crowd
from tests.fakediscord import FakeDiscord

pytestmark = pytest.mark.timeout(600)
USERS = int(os.environ.get("CROWD_USERS", "1000"))
DEADLINE_S = 3.0


async def test_a_thousand_sellers_at_once(tmp_path: Path) -> None:
    async with FakeDiscord(validate="deferred") as fake:
        bot = BotProcess(fake, tmp_path, LOG_LEVEL="WARNING")
        await bot.start()
        try:
            result = await run_crowd(fake, USERS)
        finally:
            code = await bot.stop()
        problems = fake.spec_problems
    assert result.failures == [], result.failures[:10]
    assert code == 0
    latencies = result.all_latencies
    assert len(latencies) >= USERS * 10
    late = [value for value in latencies if value > DEADLINE_S]
    assert late == [], f"{len(late)} acknowledgements over {DEADLINE_S}s, worst {max(late):.2f}s"
    with sqlite3.connect(tmp_path / "desk.sqlite3") as db:
        rows = {
            user_id: json.loads(state)["engine"]["answers"]
            for user_id, state in db.execute("SELECT user_id, state FROM dispute_sessions")
        }
    crowd = [user for user in fake.users.values() if user.username.startswith("seller")]
    sellers = {user.id: index for index, user in enumerate(crowd)}
    assert len(rows) == USERS
    assert mixed_up_sessions(rows, sellers) == []
    assert problems == [], problems[:5]
