"""A minimal discord.py bot with one trivial slash command: the benchmark's baseline.

``build_bare_bot()`` returns the bot; ``run_bare_bot(fake)`` runs it against a fake until cancelled.
Run standalone against a fake in another process with
``DISCORD_API_BASE_URL=... DISCORD_GATEWAY_URL=... DISCORD_TOKEN=... python -m tests.fakediscord.bare_bot``.
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING

import discord
import yarl
from discord.ext import commands

from .runner import fast_bot_settings, running_bot

if TYPE_CHECKING:
    from .server import FakeDiscord


class BareBot(commands.Bot):
    """No intents, no mentions, syncs its tree globally on start."""

    def __init__(self, *, sync: bool = True) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.none(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self._sync = sync

    async def setup_hook(self) -> None:
        @self.tree.command(name="ping", description="Answer pong.")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")

        if self._sync:
            await self.tree.sync()


def build_bare_bot(*, sync: bool = True) -> BareBot:
    """The baseline bot; call :func:`fast_bot_settings` on it for tests."""
    bot = BareBot(sync=sync)
    fast_bot_settings(bot)
    return bot


async def run_bare_bot(fake: FakeDiscord, *, ready_timeout: float = 5.0) -> None:
    """Run the bare bot against ``fake`` until cancelled (patches discord.py while it runs)."""
    bot = build_bare_bot()
    with fake.patch_discord():
        async with running_bot(bot, fake, ready_timeout=ready_timeout):
            await asyncio.Event().wait()


def _main() -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE_URL"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    bot = build_bare_bot()
    bot.run(os.environ["DISCORD_TOKEN"], log_handler=None)


if __name__ == "__main__":
    _main()
