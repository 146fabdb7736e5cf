"""Discord glue shared by the cogs: private answers, owner checks, text as code blocks and files."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import Coroutine
from typing import Any

import discord

log = logging.getLogger(__name__)

#: The colour of every embed Dispute Desk sends; a refused answer is shown in the error colour.
EMBED_COLOUR = discord.Colour.from_rgb(46, 117, 182)
ERROR_COLOUR = discord.Colour.from_rgb(200, 80, 60)
CODE_BLOCK_OVERHEAD = len("```\n\n```")


async def send_private(interaction: discord.Interaction[Any], content: str, **kwargs: Any) -> None:
    """Answer ephemerally, whether or not the interaction was already acknowledged."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, **kwargs)
        else:
            await interaction.response.send_message(content, ephemeral=True, **kwargs)
    except discord.HTTPException:
        log.warning("could not deliver a private message for interaction %s", interaction.id, exc_info=True)


async def accepting_clicks(interaction: discord.Interaction[Any], kept: str) -> bool:
    """False (after saying so privately) while the bot drains for a restart; ``kept`` says what is safe."""
    if getattr(interaction.client, "draining", False):
        await interaction.response.send_message(
            f"Dispute Desk is restarting. {kept}: click again in a minute.", ephemeral=True
        )
        return False
    return True


def code_block(text: str) -> str:
    """Text in a fenced block for one-tap copying; no run of backticks inside can close it.

    Discord closes a block at the first three backticks whatever the opening fence, so a longer
    fence does not help there (and a CommonMark viewer closes at a run as long as the fence):
    instead every run of three or more backticks in ``text`` gets a zero-width space after each
    pair, so four backticks become two, an invisible space, and two.
    """
    safe = _BACKTICK_RUN.sub("``\u200b", text)
    return f"```\n{safe}\n```"


# Two backticks followed by a third: break after the pair, then look again from the third.
_BACKTICK_RUN = re.compile(r"``(?=`)")


def text_file(text: str, filename: str) -> discord.File:
    # A lone surrogate (valid in JSON, so in a modal value or an answers file) cannot be encoded.
    readable = _SURROGATE.sub("\ufffd", text)
    return discord.File(io.BytesIO(readable.encode("utf-8")), filename=filename)


_SURROGATE = re.compile("[\ud800-\udfff]")


# Discord wants an answer within 3 s of the interaction's creation. A quiet bot answers in one
# request. A busy one (many handlers in flight, or an interaction that already waited) acknowledges
# first, before doing any work, and edits after: acknowledgements then never queue behind the work
# of a burst of clicks.
ACKNOWLEDGE_AFTER_S = 1.2
BUSY_HANDLERS = 16


class _InFlight:
    count = 0
    # Deferred work runs a few at a time, so that new interactions (acknowledgements, forms to
    # open) find the event loop free instead of queueing behind every deferred build of a burst.
    builds = asyncio.Semaphore(4)


def interaction_age(interaction: discord.Interaction[Any]) -> float:
    return max(0.0, (discord.utils.utcnow() - interaction.created_at).total_seconds())


async def answer_in_time(
    interaction: discord.Interaction[Any],
    build: Coroutine[Any, Any, dict[str, Any]],
    *,
    update: bool,
) -> None:
    """Send what ``build`` makes: edit the clicked message (``update``) or a new private message."""
    budget = ACKNOWLEDGE_AFTER_S - interaction_age(interaction)
    busy = _InFlight.count >= BUSY_HANDLERS or budget <= 0
    _InFlight.count += 1
    try:
        if not busy:
            task = asyncio.ensure_future(build)
            await asyncio.wait({task}, timeout=budget)
            if task.done():
                payload = task.result()
                if update:
                    await interaction.response.edit_message(**payload)
                else:
                    await interaction.response.send_message(ephemeral=True, **payload)
                return
            build = task  # type: ignore[assignment]  # awaited below, after acknowledging
        try:
            if update:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=True, thinking=True)
        except BaseException:
            if isinstance(build, Coroutine):
                build.close()
            raise
        async with _InFlight.builds:
            payload = await build
        files = payload.pop("files", None) or ([payload.pop("file")] if "file" in payload else None)
        if files:
            payload["attachments"] = files
        await interaction.edit_original_response(**payload)
    finally:
        _InFlight.count -= 1
