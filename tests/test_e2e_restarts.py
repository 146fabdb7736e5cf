"""/dispute survives the bot being killed (SIGKILL) at every step of the founding case."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.botprocess import BotProcess
from tests.fakediscord import FakeDiscord
from tests.s1 import s1_answers, typed
from tests.wizard_driver import answer_for, control, controls, is_outcome

pytestmark = pytest.mark.timeout(240)


async def test_kill_at_every_step_and_continue_on_the_old_message(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    guild = fake_discord.add_guild("Freelancers")
    answers = s1_answers()
    bot = BotProcess(fake_discord, tmp_path)
    await bot.start()
    try:
        started = await fake_discord.slash("dispute start", user=alice, guild=guild)
        await started.response()
        message_id = (await started.message()).id
        kills = 0
        for _ in range(20):
            message = fake_discord.messages[message_id]
            if is_outcome(message):
                break
            await bot.restart()
            kills += 1
            if (pick := control(message, "pick")) is not None:
                done = await fake_discord.select(
                    message, str(pick), [typed(answer_for(answers, pick.argument))], user=alice
                )
            elif answer_buttons := [c for c in controls(message) if c.action == "answer"]:
                question_id = answer_buttons[0].argument.split("=", 1)[0]
                wanted = f"{question_id}={typed(answer_for(answers, question_id))}"
                target = next(c for c in answer_buttons if c.argument == wanted)
                done = await fake_discord.click(message, str(target), user=alice)
            else:
                form = control(message, "open")
                assert form is not None, message.custom_ids()
                opened = await fake_discord.click(message, str(form), user=alice)
                modal = await opened.wait_modal()
                await bot.restart()  # the form is open while the bot dies: it must still be accepted
                kills += 1
                fields = [row["component"]["custom_id"] for row in modal["components"]]
                done = await fake_discord.submit_modal(opened, {f: typed(answers.get(f, "")) for f in fields})
            assert (await done.response()).type == 7
        assert is_outcome(fake_discord.messages[message_id])
        assert kills >= 10
    finally:
        await bot.stop()
    with sqlite3.connect(tmp_path / "desk.sqlite3") as db:
        (state,) = db.execute("SELECT state FROM dispute_sessions").fetchone()
    kept = json.loads(state)["engine"]["answers"]
    for key in ("platform", "dispute_type", "order_value", "revisions_used", "buyer_message", "goal", "tone"):
        assert kept[key] == answers[key], key
