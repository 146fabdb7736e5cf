"""Many sellers run the S1 wizard at once against the real bot process: nothing lost or mixed up.

The default suite sends 50 sellers; the opt-in ``load`` marker (``pytest -m load``) sends 1,000.
Neither asserts a time: how fast the crowd is answered is measured by `make bench`, beside a bare
discord.py bot under the same crowd. Here the fake gives every answer room on a busy machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.botprocess import BotProcess
from tests.crowd import crowd_problems, run_crowd, saved_answers
from tests.fakediscord import PATIENCE_S, FakeDiscord
from tests.fakediscord.plugin import format_problems

pytestmark = pytest.mark.timeout(600)


@pytest.mark.parametrize("users", [50, pytest.param(1000, marks=pytest.mark.load)])
async def test_a_crowd_of_sellers_at_once(tmp_path: Path, users: int) -> None:
    async with FakeDiscord(validate="deferred", interaction_deadline=PATIENCE_S) as fake:
        bot = BotProcess(fake, tmp_path, LOG_LEVEL="WARNING")
        await bot.start()
        try:
            result = await run_crowd(fake, users, timeout=PATIENCE_S)
        finally:
            code = await bot.stop()
        problems = fake.spec_problems
    assert result.failures == [], result.failures[:10]
    assert code == 0
    assert len(result.all_latencies) >= users * 10  # every step of every seller was answered
    assert problems == [], format_problems(problems)
    assert len(saved_answers(tmp_path / "desk.sqlite3")) == users
    assert crowd_problems(fake, tmp_path / "desk.sqlite3") == []
