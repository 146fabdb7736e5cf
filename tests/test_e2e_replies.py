"""/reply, "Draft a reply…" and /templates mine end to end: real discord.py against the fake Discord."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.client import DisputeBot
from bot.quickreply.custom_ids import ReplyControl, parse_reply_control
from bot.sandbox import Limits, PoolSettings, RenderPool
from bot.storage.profiles import ProfileRepository
from bot.storage.reply_templates import ReplyTemplateRepository
from tests.deskbot import desk_bot
from tests.fakediscord import FakeDiscord, FakeMessage, FakeUser, SimulatedInteraction

pytestmark = pytest.mark.timeout(120)
EPHEMERAL = 1 << 6
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def fixed_clock(bot: DisputeBot) -> None:
    bot.clock = lambda: NOW


def rp(message: FakeMessage, action: str) -> str:
    for custom_id in message.custom_ids():
        control = parse_reply_control(custom_id)
        if control is not None and control.action == action:
            return custom_id
    raise AssertionError(f"no {action!r} control on message {message.id}: {message.custom_ids()}")


def modal_fields(modal: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["component"]["custom_id"]: row["component"] for row in modal["components"] if "component" in row}


def public_posts(fake: FakeDiscord) -> list[FakeMessage]:
    """Everything anyone but the clicking user could see: channel posts and non-ephemeral answers."""
    return [m for m in fake.messages.values() if not m.ephemeral and not m.deleted]


async def set_profile(bot: DisputeBot, user: FakeUser, **values: str) -> None:
    await ProfileRepository(bot.db).update(user.id, **values)


async def builtin_id(bot: DisputeBot, name: str) -> str:
    stored = await ReplyTemplateRepository(bot.db).find_by_name("builtin", 0, name)
    assert stored is not None
    return str(stored.id)


async def test_reply_with_everything_known_is_copy_ready_and_posts_only_on_click(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake_discord.add_user("alice")
    guild = fake_discord.add_guild("Freelancers")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        await set_profile(bot, alice, display_name="Ana")
        started = await fake_discord.slash(
            "reply", user=alice, guild=guild, options={"template": "cancel-accept", "buyer_name": "Sam @everyone"}
        )
        answer = await started.response()
        assert answer.type == 4 and answer.data["flags"] & EPHEMERAL
        assert answer.data["allowed_mentions"] == {"parse": []}
        text = answer.files[0].text.strip()
        assert text.startswith("Hi Sam @\u200beveryone") and "Ana" in text
        assert f"```\n{text}\n```" in answer.data["content"]
        assert public_posts(fake_discord) == []  # nothing public before the click
        message = await started.message()
        post = await fake_discord.click(message, rp(message, "post"), user=alice)
        posted = await post.response()
        assert posted.type == 4 and not posted.data.get("flags", 0) & EPHEMERAL
        assert posted.data["content"] == text
        assert posted.data["allowed_mentions"] == {"parse": []}
        assert len(public_posts(fake_discord)) == 1
        again = await (await fake_discord.click(message, rp(message, "post"), user=alice)).response()
        assert again.data["flags"] & EPHEMERAL and "already posted" in again.data["content"]
        uses = await bot.db.fetch_one("SELECT uses FROM template_usage WHERE user_id = ?", (alice.id,))
        assert uses is not None and uses[0] == 1
    assert fake_discord.spec_problems == []
