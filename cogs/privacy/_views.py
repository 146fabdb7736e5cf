"""The confirm and keep buttons of /privacy delete: persistent, and only for the user they name."""

from __future__ import annotations

from typing import Any

import discord

from bot.control_ids import ControlScheme, clicked_row_id

SCHEME = ControlScheme("pv")


class ForgetControl(discord.ui.DynamicItem[discord.ui.Button[Any]], template=SCHEME.pattern):
    """``pv:<user id>:forget`` deletes that user's data; ``pv:<user id>:keep`` leaves it alone."""

    def __init__(self, user_id: int, action: str) -> None:
        if action == "forget":
            button = discord.ui.Button[Any](
                label="Delete everything", style=discord.ButtonStyle.danger, custom_id=SCHEME.format(user_id, action)
            )
        else:
            button = discord.ui.Button[Any](
                label="Keep my data", style=discord.ButtonStyle.secondary, custom_id=SCHEME.format(user_id, action)
            )
        super().__init__(button)
        self.user_id = user_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any
    ) -> ForgetControl:
        return cls(clicked_row_id(match["id"]), match["action"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.privacy._cog import PrivacyCog

        cog = interaction.client.get_cog(PrivacyCog.__cog_name__)
        assert isinstance(cog, PrivacyCog)
        await cog.handle_forget_click(interaction, self.user_id, self.action)


def confirm_view(user_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ForgetControl(user_id, "forget"))
    view.add_item(ForgetControl(user_id, "keep"))
    return view
