"""/settings: a server's Dispute Desk settings (Manage Server), and posting a shared case to its channel."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import DisputeDeskError
from bot.replies.platforms import load_platforms
from bot.storage.server_settings import ServerSettingsRepository
from cogs.library._cog import installed_guild
from cogs.library._views import settings_message

if TYPE_CHECKING:
    from bot.client import DisputeBot

Interaction = discord.Interaction["DisputeBot"]
PLATFORM_CHOICES = [app_commands.Choice(name=load_platforms().label(k)[:100], value=k) for k in load_platforms().keys]
FEEDBACK_TITLE_MAX = 90


class FeedbackChannel(app_commands.Transformer):
    """A text or forum channel option (discord.py's ForumChannel would also offer media channels)."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.forum]

    async def transform(self, interaction: discord.Interaction, value: object) -> object:
        return value


class SettingsCog(commands.Cog, name="Settings"):
    settings_group = app_commands.Group(
        name="settings",
        description="This server's Dispute Desk settings (Manage Server)",
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: DisputeBot) -> None:
        self.bot = bot
        self.settings = ServerSettingsRepository(bot.db)

    @staticmethod
    def managed_guild(interaction: Interaction) -> int:
        guild_id = installed_guild(interaction)
        if not interaction.permissions.manage_guild:
            raise DisputeDeskError("Only members with Manage Server can change Dispute Desk's settings here.")
        return guild_id

    @settings_group.command(name="show")
    async def show(self, interaction: Interaction) -> None:
        """Every Dispute Desk setting of this server at once."""
        guild_id = self.managed_guild(interaction)
        await interaction.response.send_message(
            settings_message(await self.settings.get(guild_id)),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @settings_group.command(name="set")
    @app_commands.describe(
        curator_role="Members with this role curate the server library (besides Manage Server)",
        post_here="Whether members may use Post here on a quick reply",
        share="Whether members may use Share for feedback on a case",
        feedback_channel="Where shared cases go: a forum (each its own post) or a text channel (a thread)",
        platform="Default platform for members without a /profile",
        currency="Default currency for members without a /profile, e.g. USD or EUR",
        clear="Clear one setting",
    )
    @app_commands.choices(
        platform=PLATFORM_CHOICES,
        clear=[
            app_commands.Choice(name="curator role", value="curator_role_id"),
            app_commands.Choice(name="feedback channel", value="feedback_channel_id"),
            app_commands.Choice(name="platform", value="default_platform"),
            app_commands.Choice(name="currency", value="currency"),
        ],
    )
    async def set_(
        self,
        interaction: Interaction,
        curator_role: discord.Role | None = None,
        post_here: bool | None = None,
        share: bool | None = None,
        feedback_channel: app_commands.Transform[app_commands.AppCommandChannel, FeedbackChannel] | None = None,
        platform: str | None = None,
        currency: app_commands.Range[str, 3, 3] | None = None,
        clear: str | None = None,
    ) -> None:
        """Change this server's settings; what you leave empty stays as it is."""
        guild_id = self.managed_guild(interaction)
        changes: dict[str, object] = {}
        if curator_role is not None:
            changes["curator_role_id"] = curator_role.id
        if post_here is not None:
            changes["allow_post_here"] = post_here
        if share is not None:
            changes["allow_share"] = share
        if feedback_channel is not None:
            changes["feedback_channel_id"] = feedback_channel.id
            forum = feedback_channel.type is discord.ChannelType.forum
            changes["feedback_channel_kind"] = "forum" if forum else "text"
        if platform is not None:
            changes["default_platform"] = platform
        if currency is not None:
            if not currency.isalpha():
                raise DisputeDeskError("A currency is a three-letter code such as USD, EUR or GBP.")
            changes["currency"] = currency.upper()
        if clear is not None:
            changes[clear] = None
            if clear == "feedback_channel_id":
                changes["feedback_channel_kind"] = None
        if not changes:
            raise DisputeDeskError("Nothing to change: give at least one option (`/settings show` lists them).")
        saved = await self.settings.update(guild_id, updated_by=interaction.user.id, now=self.bot.now(), **changes)
        await interaction.response.send_message(
            "Saved.\n" + settings_message(saved), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )


async def feedback_destination(bot: DisputeBot, guild_id: int) -> discord.TextChannel | discord.ForumChannel | None:
    """The server's feedback channel when one is set and still exists."""
    settings = await ServerSettingsRepository(bot.db).get(guild_id)
    if settings.feedback_channel_id is None:
        return None
    guild = bot.get_guild(guild_id)
    channel = guild.get_channel(settings.feedback_channel_id) if guild else None
    return channel if isinstance(channel, discord.TextChannel | discord.ForumChannel) else None


async def post_feedback(channel: discord.TextChannel | discord.ForumChannel, title: str, text: str) -> str:
    """A shared case in the feedback channel: a forum post of its own, or a thread in a text channel."""
    none = discord.AllowedMentions.none()
    name = title[:FEEDBACK_TITLE_MAX] or "A case for feedback"
    if isinstance(channel, discord.ForumChannel):
        created = await channel.create_thread(name=name, content=text[:2000], allowed_mentions=none)
        return f"Posted in {channel.mention} as its own post: {created.thread.mention}."
    message = await channel.send(text[:2000], allowed_mentions=none)
    thread = await message.create_thread(name=name)
    return f"Posted in {channel.mention}; members answer in the thread {thread.mention}."


async def allowed(bot: DisputeBot, guild_id: int | None, what: str) -> bool:
    """Whether the server allows ``post_here`` or ``share`` (always outside a server)."""
    if guild_id is None:
        return True
    settings = await ServerSettingsRepository(bot.db).get(guild_id)
    return settings.allow_post_here if what == "post_here" else settings.allow_share
