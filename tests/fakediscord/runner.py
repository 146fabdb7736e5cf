"""Run a real discord.py client against a :class:`FakeDiscord` with bounded start-up and shutdown."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar

import discord

from ._model import PATIENCE_S

if TYPE_CHECKING:
    from .server import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)


async def _no_identify_wait(shard_id: int | None, *, initial: bool = False) -> None:
    """Replacement for ``before_identify_hook``: discord.py sleeps 5 s before every non-first IDENTIFY."""


def fast_bot_settings(client: discord.Client, *, guild_ready_timeout: float = 0.05) -> None:
    """Make a client test-friendly: short wait for GUILD_CREATEs, no 5 s sleep before re-IDENTIFY.

    Bots can instead pass ``guild_ready_timeout=`` to their constructor and override
    ``before_identify_hook`` themselves; this helper does both on an existing instance.
    """
    client._connection.guild_ready_timeout = guild_ready_timeout
    client.before_identify_hook = _no_identify_wait  # type: ignore[method-assign]


@contextlib.asynccontextmanager
async def running_bot(
    client: ClientT,
    fake: FakeDiscord,
    *,
    ready_timeout: float = PATIENCE_S,
    close_timeout: float = PATIENCE_S,
    fast: bool = True,
) -> AsyncIterator[ClientT]:
    """Start ``client`` against ``fake`` (discord.py must already point at it) until ready; close on exit.

    Raises the client's own exception if it dies while starting (bad token, crash in setup_hook...).
    """
    if fast:
        fast_bot_settings(client)
    task = asyncio.create_task(client.start(fake.token), name="fake-discord-bot")
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait(
            {task, ready}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if task in done:
            task.result()
            raise RuntimeError("the bot stopped before it was ready")
        if ready not in done:
            raise TimeoutError(f"the bot was not ready within {ready_timeout}s")
        own_shards = client.shard_ids if isinstance(client, discord.AutoShardedClient) else None
        await fake.wait_ready(timeout=ready_timeout, shards=own_shards)
        yield client
    finally:
        ready.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.close(), close_timeout)
        if not task.done():
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, close_timeout)
        _consume(task)


def _consume(task: asyncio.Task[Any]) -> None:
    if task.done() and not task.cancelled():
        task.exception()
