"""Two bot processes split four shards on one PostgreSQL: one seller's case moves between them.

Each process is the real `python -m bot run`, as in production (SHARD_COUNT=4, SHARD_IDS 0-1 and 2-3,
one DATABASE_URL). A DM goes to shard 0 (the first process) and the server below to shard 3 (the
second), so a seller who starts a case in a DM and goes on in the server is served by both.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from tests.botprocess import PROJECT_ROOT, BotProcess
from tests.fakediscord import FakeDiscord, FakeMessage, FakeUser
from tests.fakediscord.plugin import checked_fake
from tests.s1 import s1_answers
from tests.storage_fixtures import POSTGRES_URL, postgres_schema
from tests.wizard_driver import answer_step, control, is_outcome, walk_to_outcome

pytestmark = pytest.mark.timeout(240)


def cli_drafts(answers: dict[str, object], folder: Path, now: datetime) -> dict[str, str]:
    """What `draft` gives for these answers at ``now`` (the bot renders with the real clock)."""
    path = folder / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "draft", "--answers", str(path), "--format", "json",
         "--now", now.isoformat(), "--tone", "neutral"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return {d["id"]: d["text"] for d in json.loads(result.stdout)["drafts"]}


async def resume_here(fake: FakeDiscord, user: FakeUser, **where: object) -> FakeMessage:
    resumed = await fake.slash("dispute resume", user=user, **where)  # type: ignore[arg-type]
    await resumed.response()
    return await resumed.message()


async def test_a_case_moves_between_two_processes_and_survives_one_being_killed(
    tmp_path: Path, postgres_url: str
) -> None:
    answers = s1_answers()
    async with checked_fake(shard_count=4) as fake, postgres_schema() as schema:
        alice = fake.add_user("alice")
        server = fake.add_guild("Freelancers", shard=3)
        common = {"DATABASE_URL": f"{POSTGRES_URL}?search_path={schema}", "SHARD_COUNT": "4", "LOG_LEVEL": "INFO"}
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        first = BotProcess(fake, tmp_path / "a", SHARD_IDS="0-1", **common)
        second = BotProcess(fake, tmp_path / "b", SHARD_IDS="2-3", **common)
        await asyncio.gather(first.start(), second.start())  # both migrate and sync at once
        try:
            assert fake.sync_count == 1  # exactly one process synced the commands
            for where, said in (({"dm": True}, "shards 0-1 of 4"), ({"guild": server}, "shards 2-3 of 4")):
                about = await fake.slash("about", user=alice, **where)  # type: ignore[arg-type]
                assert f"This process runs {said}" in (await about.response()).data["content"]

            started = await fake.slash("dispute start", user=alice, dm=True)  # shard 0: the first process
            await started.response()
            in_dm = await started.message()
            for _ in range(3):
                await answer_step(fake, fake.messages[in_dm.id], alice, answers)

            in_server = await resume_here(fake, alice, guild=server)  # shard 3: the second process
            for _ in range(2):
                await answer_step(fake, fake.messages[in_server.id], alice, answers)

            await first.kill()  # no clean-up at all; its shards are gone until it starts again
            await first.start()
            again_in_dm = await resume_here(fake, alice, dm=True)  # where the second process left it
            assert not is_outcome(again_in_dm)
            outcome = await walk_to_outcome(fake, again_in_dm.id, alice, answers)

            draft_select = control(outcome, "draft")
            assert draft_select is not None
            before = cli_drafts(answers, tmp_path, datetime.now(UTC))
            shown: dict[str, str] = {}
            for draft_id in before:
                opened = await fake.select(outcome, str(draft_select), [draft_id], user=alice)
                shown[draft_id] = (await opened.response()).files[0].text.strip()
            after = cli_drafts(answers, tmp_path, datetime.now(UTC))
            for draft_id, text in shown.items():  # the bot's clock moved on while we clicked
                assert text in (before[draft_id].strip(), after[draft_id].strip()), draft_id
        finally:
            await asyncio.gather(first.stop(), second.stop())


async def test_two_processes_answering_one_case_at_once_never_mix_it(tmp_path: Path, postgres_url: str) -> None:
    """The same step shown in a DM (first process) and in the server (second), clicked at once."""
    async with checked_fake(shard_count=4) as fake, postgres_schema() as schema:
        alice = fake.add_user("alice")
        server = fake.add_guild("Freelancers", shard=3)
        common = {"DATABASE_URL": f"{POSTGRES_URL}?search_path={schema}", "SHARD_COUNT": "4"}
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        first = BotProcess(fake, tmp_path / "a", SHARD_IDS="0-1", **common)
        second = BotProcess(fake, tmp_path / "b", SHARD_IDS="2-3", **common)
        await asyncio.gather(first.start(), second.start())
        try:
            started = await fake.slash("dispute start", user=alice, dm=True)
            await started.response()
            in_dm = await started.message()
            in_server = await resume_here(fake, alice, guild=server)
            pick = control(in_dm, "pick")  # the first step is a choice from a list
            assert pick is not None and pick == control(in_server, "pick")
            question = pick.argument
            options = [o["value"] for o in in_dm.component(str(pick))["options"]]
            mine, theirs = options[0], options[1]
            clicks = await asyncio.gather(
                fake.select(in_dm, str(pick), [mine], user=alice),
                fake.select(in_server, str(pick), [theirs], user=alice),
            )
            answered = [await click.response() for click in clicks]
            shown = [str(a.data.get("content") or "") for a in answered]
            refused = [text for text in shown if "Check it and click again" in text]
            # Truly at once: one wins and the other is told; one after the other: both apply, in order.
            assert len(refused) <= 1
            after = await resume_here(fake, alice, dm=True)
            stored = await stored_answers(POSTGRES_URL, schema)
            assert stored[question] in {mine, theirs}
            assert set(stored) == {question}  # one answer, not a mix of two states
            assert not is_outcome(after)
        finally:
            await asyncio.gather(first.stop(), second.stop())


async def stored_answers(url: str, schema: str) -> dict[str, object]:
    connection = await asyncpg.connect(url, server_settings={"search_path": schema})
    try:
        rows = await connection.fetch("SELECT state FROM dispute_sessions")
    finally:
        await connection.close()
    assert len(rows) == 1
    answers: dict[str, object] = json.loads(rows[0]["state"])["engine"]["answers"]
    return answers
