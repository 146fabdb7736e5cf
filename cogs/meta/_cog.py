"""What Dispute Desk is, which commands it has, and how this installation is doing."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.health import HEARTBEAT_EVERY_S, heartbeat_key
from bot.help_text import ABOUT_LINES, INTRO, chunk_lines, format_uptime
from bot.storage.database import ENGINE_ERRORS
from bot.ui import EMBED_COLOUR, Reply

if TYPE_CHECKING:
    from bot.client import DisputeBot

log = logging.getLogger(__name__)
FIELD_LIMIT = 1024


def describe_commands(tree: app_commands.CommandTree[DisputeBot]) -> list[str]:
    """One line per command the tree will sync, read from the tree so it never goes stale."""
    lines: list[str] = []
    for command in sorted(tree.get_commands(), key=lambda c: c.name):
        if isinstance(command, app_commands.ContextMenu):
            kind = "message" if command.type is discord.AppCommandType.message else "user"
            lines.append(f"**{command.name}**: right-click a {kind}, then Apps")
        elif isinstance(command, app_commands.Group):
            for sub in command.walk_commands():
                if isinstance(sub, app_commands.Command):
                    lines.append(f"`/{sub.qualified_name}`: {sub.description}")
        else:
            lines.append(f"`/{command.qualified_name}`: {command.description}")
    return lines


class MetaCog(commands.Cog):
    def __init__(self, bot: DisputeBot) -> None:
        self.bot = bot
        self._help: Reply | None = None

    async def cog_load(self) -> None:
        self.heartbeat.start()

    async def cog_unload(self) -> None:
        self.heartbeat.cancel()

    @tasks.loop(seconds=HEARTBEAT_EVERY_S)
    async def heartbeat(self) -> None:
        """Record that the bot is connected, for `dispute-desk health` (Docker's HEALTHCHECK)."""
        if self.bot.is_ready() and not self.bot.is_closed() and not self.bot.draining:
            try:
                await self.bot.meta.set(heartbeat_key(self.bot.settings.shard_ids), "connected")
            except ENGINE_ERRORS:  # a locked or failing database: try again next minute
                log.warning("could not record the heartbeat", exc_info=True)

    @heartbeat.before_loop
    async def before_heartbeat(self) -> None:
        await self.bot.wait_until_ready()

    @app_commands.command(name="help")
    async def help_command(self, interaction: discord.Interaction[DisputeBot]) -> None:
        """Show what Dispute Desk does and every command it has."""
        if self._help is None:  # the command tree is fixed once the cogs are loaded: describe it once
            embed = discord.Embed(title="Dispute Desk", description=INTRO, colour=EMBED_COLOUR)
            for number, chunk in enumerate(chunk_lines(describe_commands(self.bot.tree), FIELD_LIMIT)):
                embed.add_field(name="Commands" if number == 0 else "\u200b", value=chunk, inline=False)
            embed.set_footer(text="Drafts are suggestions, not legal advice. The bot never writes to your buyer.")
            self._help = Reply(embeds=(embed,))
        await self._help.send(interaction)

    @app_commands.command(name="about")
    async def about_command(self, interaction: discord.Interaction[DisputeBot]) -> None:
        """Show the version, uptime and database state of this Dispute Desk."""
        schema = await self.bot.db.schema_version()
        started = discord.utils.utcnow() - dt.timedelta(seconds=self.bot.uptime_seconds())
        lines = [
            f"Version: {self.bot.version}",
            f"Up for {format_uptime(self.bot.uptime_seconds())}, since {discord.utils.format_dt(started)}",
            f"Database schema version: {schema}",
            f"This process runs {self.bot.shards_description()}",
            *ABOUT_LINES,
        ]
        await Reply("\n".join(lines)).send(interaction)
