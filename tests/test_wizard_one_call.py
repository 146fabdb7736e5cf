"""A wizard click enters the feature's core once and comes back once: one call of one service.

The real bot runs against the fake Discord; the services the /dispute cog holds are the real ones,
seen through a recorder that passes every call through and notes it. Each click or form of a case
then shows exactly one call, ``steps.step``: the cog asks the core one question per action.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.client import DisputeBot
from tests.deskbot import desk_bot
from tests.fakediscord import FakeDiscord
from tests.s1 import S1_NOW, s1_answers
from tests.wizard_driver import answer_step, control, is_outcome

pytestmark = pytest.mark.timeout(120)
SERVICES = ("steps", "wizard", "cases", "sharing")


class Recorder:
    """The real service, with every attribute the cog reaches for noted in ``calls``."""

    def __init__(self, name: str, service: object, calls: list[str]) -> None:
        self._name, self._service, self._calls = name, service, calls

    def __getattr__(self, attribute: str) -> Any:
        self._calls.append(f"{self._name}.{attribute}")
        return getattr(self._service, attribute)


def fixed_clock(bot: DisputeBot) -> None:
    bot.clock = lambda: S1_NOW


async def test_every_wizard_click_is_one_call_of_the_step_service(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        cog = bot.get_cog("Dispute")
        assert cog is not None
        calls: list[str] = []
        for name in SERVICES:
            setattr(cog, name, Recorder(name, getattr(cog, name), calls))
        started = await fake_discord.slash("dispute start", user=alice, dm=True)
        await started.response()
        message_id = (await started.message()).id
        assert calls == ["steps.start"]

        kinds: set[str] = set()
        for _ in range(15):  # answer every screen: buttons, selects and forms
            message = fake_discord.messages[message_id]
            if is_outcome(message):
                break
            calls.clear()
            made = await answer_step(fake_discord, message, alice, s1_answers())
            kinds.update("form" if len(made) == 2 else "click" for _ in made)
            assert calls == ["steps.step"] * len(made)
        assert is_outcome(fake_discord.messages[message_id]) and kinds == {"form", "click"}

        # Opening a draft from the outcome is one call too (load, plan, pick: WizardService.draft).
        drafts = control(fake_discord.messages[message_id], "draft")
        assert drafts is not None
        calls.clear()
        outcome = fake_discord.messages[message_id]
        opened = await fake_discord.select(outcome, str(drafts), ["support_summary"], user=alice)
        assert (await opened.message()).attachments
        assert calls == ["wizard.draft"]

        for action, argument, values in (("tone", "firm", None), ("edit", None, ["goal"])):
            target = control(fake_discord.messages[message_id], action, argument)
            assert target is not None
            calls.clear()
            if values is None:
                clicked = await fake_discord.click(fake_discord.messages[message_id], str(target), user=alice)
            else:
                clicked = await fake_discord.select(fake_discord.messages[message_id], str(target), values, user=alice)
            assert (await clicked.response()).type == 7
            assert calls == ["steps.step"], action

        for action in ("back", "restart", "cancel"):
            target = control(fake_discord.messages[message_id], action)
            assert target is not None, action
            calls.clear()
            clicked = await fake_discord.click(fake_discord.messages[message_id], str(target), user=alice)
            assert (await clicked.response()).type == 7
            assert calls == ["steps.step"], action
        assert "Case closed" in fake_discord.messages[message_id].content
