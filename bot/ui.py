"""Discord glue shared by the cogs: private answers, owner checks, text as code blocks and files."""

from __future__ import annotations

import io
import logging
from typing import Any

import discord

log = logging.getLogger(__name__)

CODE_BLOCK_OVERHEAD = len("```\n\n```")
MESSAGE_LIMIT = 2000


async def send_private(interaction: discord.Interaction[Any], content: str, **kwargs: Any) -> None:
    """Answer ephemerally, whether or not the interaction was already acknowledged."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, **kwargs)
        else:
            await interaction.response.send_message(content, ephemeral=True, **kwargs)
    except discord.HTTPException:
        log.warning("could not deliver a private message for interaction %s", interaction.id, exc_info=True)


def code_block(text: str) -> str:
    """Text in a fenced block for one-tap copying; backtick fences inside are broken up."""
    safe = text.replace("```", "`\u200b``")
    return f"```\n{safe}\n```"


def text_file(text: str, filename: str) -> discord.File:
    return discord.File(io.BytesIO(text.encode("utf-8")), filename=filename)
