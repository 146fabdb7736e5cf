"""The real bot on PostgreSQL (DATABASE_URL), end to end through the fake Discord: the founding case by
clicks gives the drafts `draft` gives, and a restart in the middle loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deskbot import desk_bot
from tests.fakediscord import FakeDiscord
from tests.s1 import s1_answers
from tests.storage_fixtures import POSTGRES_URL, postgres_schema
from tests.test_e2e_dispute import cli_drafts, fixed_clock
from tests.wizard_driver import answer_step, control, walk_to_outcome

pytestmark = pytest.mark.timeout(120)


async def test_s1_on_postgresql_survives_a_restart_and_gives_the_cli_drafts(
    fake_discord: FakeDiscord, tmp_path: Path, postgres_url: str
) -> None:
    alice = fake_discord.add_user("alice")
    guild = fake_discord.add_guild("Freelancers")
    answers = s1_answers()
    async with postgres_schema() as schema:
        url = f"{POSTGRES_URL}?search_path={schema}"  # asyncpg passes unknown URL parameters as settings
        async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock, DATABASE_URL=url) as bot:
            assert bot.db.dialect == "postgresql"
            started = await fake_discord.slash("dispute start", user=alice, guild=guild)
            await started.response()
            message = await started.message()
            for _ in range(3):  # a few steps, then the process stops
                await answer_step(fake_discord, fake_discord.messages[message.id], alice, answers)
        async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock, DATABASE_URL=url):
            outcome = await walk_to_outcome(fake_discord, message.id, alice, answers)
            expected = cli_drafts("neutral")
            draft_select = control(outcome, "draft")
            assert draft_select is not None
            for draft_id, text in expected.items():
                opened = await fake_discord.select(outcome, str(draft_select), [draft_id], user=alice)
                answer = await opened.response()
                assert answer.files[0].text.strip() == text.strip()
