"""The confirm and keep buttons of /privacy delete: persistent, and only for the user they name."""

from __future__ import annotations

from typing import Any

import discord

from bot.control_ids import ControlScheme

SCHEME = ControlScheme("pv")


def forget_button(user_id: int, action: str) -> discord.ui.Button[Any]:
    """``pv:<user id>:forget`` deletes that user's data; ``pv:<user id>:keep`` leaves it alone."""
    if action == "forget":
        return discord.ui.Button(
            label="Delete everything", style=discord.ButtonStyle.danger, custom_id=SCHEME.format(user_id, action)
        )
    return discord.ui.Button(
        label="Keep my data", style=discord.ButtonStyle.secondary, custom_id=SCHEME.format(user_id, action)
    )


def confirm_view(user_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(forget_button(user_id, "forget"))
    view.add_item(forget_button(user_id, "keep"))
    return view
