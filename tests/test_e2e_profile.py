"""/profile through real discord.py against the fake Discord."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deskbot import desk_bot
from tests.fakediscord import FakeDiscord

pytestmark = pytest.mark.timeout(60)
EPHEMERAL = 1 << 6


async def test_set_view_clear_and_refuse_bad_input(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    guild = fake_discord.add_guild("Freelancers")
    async with desk_bot(fake_discord, tmp_path):
        saved = await fake_discord.slash(
            "profile set",
            user=alice,
            guild=guild,
            options={"name": "Ana @everyone", "currency": "eur", "revision_price": "$25", "tone": "firm"},
        )
        answer = await saved.response()
        assert answer.data["flags"] & EPHEMERAL
        assert answer.data["allowed_mentions"] == {"parse": []}
        assert "25.00 EUR" in answer.data["content"]

        bad = await (
            await fake_discord.slash("profile set", user=alice, dm=True, options={"hourly_rate": "lots"})
        ).response()
        assert bad.data["flags"] & EPHEMERAL
        assert bad.data["content"] == "Hourly rate must be an amount such as 25, 25.50 or 1.5k, not 'lots'."

        viewed = await (await fake_discord.slash("profile view", user=alice, dm=True)).response()
        assert "**Currency**: EUR" in viewed.data["content"]
        assert "**Hourly rate**: *not set*" in viewed.data["content"]

        cleared = await (
            await fake_discord.slash("profile clear", user=alice, dm=True, options={"field": "currency"})
        ).response()
        assert "**Currency**: *not set*" in cleared.data["content"]

        bob = fake_discord.add_user("bob")
        bob_view = await (await fake_discord.slash("profile view", user=bob, dm=True)).response()
        assert "Ana" not in bob_view.data["content"]

        choices = await (
            await fake_discord.autocomplete("profile set", focused="currency", value="g", user=alice, dm=True)
        ).choices()
        assert [c["value"] for c in choices] == ["GBP"]
