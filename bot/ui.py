"""Discord glue shared by the cogs: private answers, owner checks, text as code blocks and files."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import weakref
from collections.abc import Coroutine
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


# Discord wants an answer within 3 s of the interaction's creation. The step is built and sent as
# the interaction's own answer (one request) whenever that fits in the budget, waiting for one of a
# few build slots if need be; only an interaction that cannot get a slot and finish in the budget
# is acknowledged first and edited after (two requests). Deferring as soon as the bot is busy would
# add a request to every interaction exactly when the event loop is saturated.
ACKNOWLEDGE_AFTER_S = 1.2
# Builds running at once: enough to keep the database and the loop busy, few enough that the loop
# stays free to acknowledge whatever cannot be answered in time.
BUILD_SLOTS = 16
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _build_slots() -> asyncio.Semaphore:
    """This event loop's build slots (a semaphore belongs to one loop; tests run many loops)."""
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = asyncio.Semaphore(BUILD_SLOTS)
    return slots


def interaction_age(interaction: discord.Interaction[Any]) -> float:
    return max(0.0, (discord.utils.utcnow() - interaction.created_at).total_seconds())


async def answer_in_time(
    interaction: discord.Interaction[Any],
    build: Coroutine[Any, Any, dict[str, Any]],
    *,
    update: bool,
) -> None:
    """Send what ``build`` makes: edit the clicked message (``update``) or a new private message."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ACKNOWLEDGE_AFTER_S - interaction_age(interaction)
    slots = _build_slots()
    task: asyncio.Future[dict[str, Any]] | None = None
    if deadline > loop.time() and await _acquire_before(slots, deadline):
        task = asyncio.ensure_future(build)
        task.add_done_callback(lambda _: slots.release())
        await asyncio.wait({task}, timeout=max(0.0, deadline - loop.time()))
        if task.done():
            payload = task.result()
            if update:
                await interaction.response.edit_message(**payload)
            else:
                await interaction.response.send_message(ephemeral=True, **payload)
            return
    try:
        if update:
            await interaction.response.defer()
        else:
            await interaction.response.defer(ephemeral=True, thinking=True)
    except BaseException:
        if task is None:
            build.close()
        else:  # the build still runs to its end (it may be saving an answer); its outcome is not needed
            task.add_done_callback(lambda done: done.cancelled() or done.exception())
        raise
    if task is None:
        async with slots:
            payload = await build
    else:
        payload = await task
    files = payload.pop("files", None) or ([payload.pop("file")] if "file" in payload else None)
    if files:
        payload["attachments"] = files
    await interaction.edit_original_response(**payload)


async def _acquire_before(slots: asyncio.Semaphore, deadline: float) -> bool:
    """Take a build slot if one frees before ``deadline`` (loop time); False otherwise."""
    if not slots.locked():
        await slots.acquire()
        return True
    try:
        async with asyncio.timeout_at(deadline):
            await slots.acquire()
    except TimeoutError:
        return False
    return True
