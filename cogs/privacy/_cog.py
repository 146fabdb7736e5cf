"""See, export and delete what Dispute Desk stores about you."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.replies.service import DRAFT_TTL
from bot.scheduler import FINISHED_RETENTION
from bot.storage.user_data import USER_DATA, count_user_rows, export_user_data, forget_user
from bot.ui import ActionDispatch, Reply, custom_id_of, send_private, text_file
from cogs.privacy._views import SCHEME, confirm_view

if TYPE_CHECKING:
    from bot.client import DisputeBot

WHAT_IS_KEPT = {rows.table: rows.what for rows in USER_DATA}


class PrivacyCog(commands.Cog):
    privacy = app_commands.Group(name="privacy", description="What Dispute Desk stores about you, and deleting it")

    def __init__(self, bot: DisputeBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.control_handlers[SCHEME.prefix] = self.on_click

    async def cog_unload(self) -> None:
        self.bot.control_handlers.pop(SCHEME.prefix, None)

    async def on_click(self, interaction: discord.Interaction[DisputeBot]) -> None:
        """The buttons of /privacy delete (DisputeBot.on_interaction), also after a restart."""
        clicked = SCHEME.clicked(custom_id_of(interaction))
        try:
            if clicked is None or clicked[1] not in ("forget", "keep"):
                await send_private(interaction, ActionDispatch.outdated)
            else:
                await self.handle_forget_click(interaction, clicked[0], clicked[1])
        except Exception as exc:
            await self.bot.report_interaction_error(interaction, exc)

    @privacy.command(name="show")
    async def show(self, interaction: discord.Interaction[DisputeBot]) -> None:
        """Show what is stored about you and for how long."""
        counts = await count_user_rows(self.bot.db, interaction.user.id)
        lines = [f"- {WHAT_IS_KEPT[table]}: {count}" for table, count in counts.items()]
        settings = self.bot.settings
        await send_private(
            interaction,
            "**What Dispute Desk stores about you**\n" + "\n".join(lines) + "\n\n"
            f"Unfinished cases are deleted after {settings.session_ttl_days} days of inactivity, finished "
            f"ones after {settings.case_retention_days} days, replies in progress after {DRAFT_TTL.days} days, "
            f"reminders {FINISHED_RETENTION.days} days after they were sent or cancelled. Nothing is shared with "
            "anyone, except counts of how cases ended in a server's `/dispute stats` (groups of 5 or more, no "
            "names or amounts). `/privacy export` sends you a copy; `/privacy delete` removes all of it.",
        )

    @privacy.command(name="export")
    async def export(self, interaction: discord.Interaction[DisputeBot]) -> None:
        """Get a copy of everything stored about you, as a JSON file only you can see."""
        data = await export_user_data(self.bot.db, interaction.user.id, self.bot.now())
        total = sum(len(rows) for rows in data["tables"].values())
        attachment = text_file(json.dumps(data, indent=2, ensure_ascii=False), "dispute-desk-my-data.json")
        await Reply(f"Everything stored about you: {total} record(s) in the attached file.", files=(attachment,)).send(
            interaction
        )

    @privacy.command(name="delete")
    async def delete(self, interaction: discord.Interaction[DisputeBot]) -> None:
        """Delete everything stored about you (asks you to confirm first)."""
        counts = await count_user_rows(self.bot.db, interaction.user.id)
        if not any(counts.values()):
            await send_private(interaction, "Nothing is stored about you.")
            return
        listed = "\n".join(f"- {WHAT_IS_KEPT[table]}: {count}" for table, count in counts.items() if count)
        await Reply(
            f"This deletes, for good:\n{listed}\n\nIt cannot be undone. `/privacy export` first if you want a copy.",
            view=confirm_view(interaction.user.id),
        ).send(interaction)

    async def handle_forget_click(
        self, interaction: discord.Interaction[DisputeBot], user_id: int, action: str
    ) -> None:
        if interaction.user.id != user_id:
            await send_private(interaction, "These buttons belong to someone else's /privacy request.")
            return
        if action == "keep":
            await Reply("Nothing was deleted.", view=None).edit(interaction)
            return
        removed = await forget_user(self.bot.db, user_id)
        done = f"Deleted {sum(removed.values())} record(s): nothing about you is stored any more."
        await Reply(done, view=None).edit(interaction)
