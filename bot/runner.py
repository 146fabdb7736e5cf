"""Open resources, run the bot until a signal, close everything in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
import sys

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl

from bot.client import DisputeBot
from bot.collector import settle_after_start
from bot.config import Settings, env_file_warning
from bot.errors import DisputeDeskError
from bot.logging_setup import setup_logging
from bot.replies import lint_process
from bot.sandbox import default_pool
from bot.storage import Database, StorageError
from bot.storage.database import ENGINE_ERRORS, storage_error
from bot.storage.sqlite import single_process

log = logging.getLogger(__name__)


def point_at_discord(settings: Settings) -> None:
    """Use an HTTP/gateway proxy (or the test suite's fake Discord) when the settings name one."""
    if settings.api_base_url:
        discord.http.Route.BASE = settings.api_base_url
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


async def run_bot(settings: Settings) -> int:
    """Run until SIGINT/SIGTERM; return the exit code."""
    assert settings.token is not None
    try:
        log_file = setup_logging(settings)
    except OSError as exc:
        print(f"error: LOG_DIR: cannot create the log file in {settings.log_dir}: {exc.strerror}", file=sys.stderr)
        return 2
    point_at_discord(settings)
    log.info("Dispute Desk starting; database %s; log file %s", settings.database.shown, log_file)
    readable_env = env_file_warning()
    if readable_env:
        log.warning("%s", readable_env)
    try:
        if settings.database.dialect != "sqlite":  # PostgreSQL: several processes may share it
            return await _run_with_database(settings)
        with single_process(settings.database_path):
            return await _run_with_database(settings)
    except StorageError as exc:
        log.error("cannot start: %s", exc)
        return 1


async def _run_with_database(settings: Settings) -> int:
    assert settings.token is not None
    loop = asyncio.get_running_loop()
    db = await Database.open(settings.database)
    async with db:
        bot = DisputeBot(settings, db)
        await asyncio.to_thread(start_template_workers)
        stopping: list[asyncio.Task[None]] = []
        stop_requested = asyncio.Event()

        def request_stop(signame: str) -> None:
            stop_requested.set()
            if not stopping:
                log.info("%s received: finishing interactions in flight, then stopping", signame)
                stopping.append(asyncio.ensure_future(bot.close()))

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, request_stop, sig.name)
        try:
            async with bot:
                if await _log_in(bot, settings.token.reveal(), stop_requested):
                    settled = settle_after_start()
                    log.info(
                        "start-up objects frozen out of garbage collection: %d; collector thresholds %s",
                        settled.frozen,
                        settled.thresholds,
                    )
                    await bot.connect()
        except discord.LoginFailure:
            log.error("Discord refused the token: check DISCORD_TOKEN (Developer Portal, Bot, Reset Token)")
            return 1
        except ENGINE_ERRORS as exc:
            log.error("stopping: %s", storage_error(settings.database.shown, exc))
            return 1
        except DisputeDeskError as exc:  # a migration failed, or the schema is newer than the code
            log.error("cannot start: %s", exc)
            return 1
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            if stopping:
                await stopping[0]
    log.info("stopped cleanly")
    return 0


def start_template_workers() -> None:
    """Start the render workers and the template-check process before the first interaction.

    Started on first use instead, they would start during the first burst of renders or checks (a
    hostile user's, say): an interpreter and its imports each, at normal priority (they lower it
    once started), on the cores the bot answers interactions with. The process that forks them
    imports the sandbox and the checks once, so a worker replaced after an overrun starts at the
    cost of a fork.
    """
    with contextlib.suppress(ValueError, ImportError):  # no forkserver on this platform
        multiprocessing.set_forkserver_preload(["bot.sandbox.pool", "bot.replies.lint_process"])
    try:
        default_pool().start(wait=True)
        lint_process.start()
    except Exception:  # they start on first use instead
        log.warning("could not start the template workers ahead; they start on first use", exc_info=True)


# Waits between attempts to reach Discord before the first login: doubling up to five minutes.
FIRST_RETRY_S = 5.0
LAST_RETRY_S = 300.0


async def _log_in(bot: DisputeBot, token: str, stop_requested: asyncio.Event) -> bool:
    """Log in, retrying with a growing wait while Discord cannot be reached; False if stopped meanwhile.

    Once connected, discord.py reconnects by itself; this covers a start without network (or DNS),
    which would otherwise end in a traceback and, under a service manager, a restart every few seconds.
    """
    wait = FIRST_RETRY_S
    while True:
        try:
            await bot.login(token)
            return True
        except (aiohttp.ClientConnectionError, TimeoutError, OSError) as exc:
            if stop_requested.is_set():
                return False
            log.error("cannot reach Discord (%s); trying again in %.0f s", _reason(exc), wait)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_requested.wait(), wait)
        if stop_requested.is_set():
            return False
        wait = min(wait * 2, LAST_RETRY_S)


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


async def sync_only(settings: Settings, guild_id: int | None) -> int:
    """Log in (no gateway), force a sync, return how many commands were synced."""
    assert settings.token is not None
    point_at_discord(settings)
    async with await Database.open(settings.database) as db:
        bot = DisputeBot(settings, db, sync_policy="force", sync_guild_id=guild_id, run_scheduler=False)
        async with bot:
            await bot.login(settings.token.reveal())
            guild = discord.Object(guild_id) if guild_id else None
            return len(bot.tree.get_commands(guild=guild))
