"""The discord.py edge: the Bot subclass, its command tree and the one error handler."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

import bot as package
from bot.config import Settings
from bot.error_ids import new_error_id
from bot.errors import DisputeDeskError
from bot.sandbox import RenderPool, default_pool
from bot.scheduler import Scheduler
from bot.services import Services, build_services
from bot.storage import Database, MetaRepository
from bot.storage.scheduled_jobs import JobRepository
from bot.ui import ACKNOWLEDGE_AFTER_S, FORM_READY_S, custom_id_of, let_go, send_private

log = logging.getLogger(__name__)
InteractionHandler = Callable[[discord.Interaction[Any]], Awaitable[None]]

EXTENSIONS: tuple[str, ...] = (
    "cogs.meta", "cogs.profile", "cogs.dispute", "cogs.replies", "cogs.privacy", "cogs.library"
)  # fmt: skip
SyncPolicy = Literal["if_changed", "force", "never"]
# discord.py names the tasks it runs handlers in; these are the ones a graceful stop waits for.
_HANDLER_TASK_PREFIXES = ("CommandTree-invoker", "discord-ui-")
DRAIN_SECONDS = 10.0
#: Discord's error code for an interaction answered after its 3 s (or one it never sent).
UNKNOWN_INTERACTION = 10062
RESTARTING_MESSAGE = "Dispute Desk is restarting. Nothing was lost: try again in a minute."


def command_payload_hash(payload: Sequence[dict[str, Any]]) -> str:
    """A stable digest of the command payload Discord would receive on sync."""
    canonical = json.dumps(sorted(payload, key=lambda c: (c.get("type", 1), c["name"])), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


class DeskTree(app_commands.CommandTree["DisputeBot"]):
    """Command tree with the bot's single error handler and the stop-taking-work switch."""

    async def interaction_check(self, interaction: discord.Interaction[DisputeBot]) -> bool:
        if self.client.draining:
            if interaction.type is discord.InteractionType.application_command:
                await send_private(interaction, RESTARTING_MESSAGE)
            return False
        return True

    async def on_error(
        self, interaction: discord.Interaction[DisputeBot], error: app_commands.AppCommandError
    ) -> None:
        await self.client.report_interaction_error(interaction, error)


def describe_shards(shard_ids: Sequence[int] | None, shard_count: int | None) -> str:
    """``shards 0-1 of 4`` / ``shard 2 of 4`` / ``1 shard``: what this process runs, for logs and /about."""
    count = shard_count or 1
    ids = sorted(shard_ids) if shard_ids is not None else list(range(count))
    if count == 1:
        return "1 shard"
    if len(ids) == 1:
        return f"shard {ids[0]} of {count}"
    runs: list[str] = []
    start = previous = ids[0]
    for shard in [*ids[1:], None]:
        if shard is not None and shard == previous + 1:
            previous = shard
            continue
        runs.append(str(start) if start == previous else f"{start}-{previous}")
        if shard is not None:
            start = previous = shard
    return f"shards {','.join(runs)} of {count}"


def _shard_options(settings: Settings) -> dict[str, Any]:
    """Leave out what is not set, so discord.py asks Discord how many shards to run."""
    options: dict[str, Any] = {}
    if settings.shard_count is not None:
        options["shard_count"] = settings.shard_count
    if settings.shard_ids is not None:
        options["shard_ids"] = list(settings.shard_ids)
    return options


class DisputeBot(commands.AutoShardedBot):
    """Dispute Desk's bot. Resources are opened in ``main()`` and passed in.

    discord.py's own sharding: with no shard settings it runs as many shards as Discord recommends
    (one, for a bot in fewer than 2,500 servers); SHARD_COUNT and SHARD_IDS split them between processes.
    """

    #: Every service, built once in ``setup_hook`` (the composition root) before the cogs load.
    services: Services

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        extensions: Sequence[str] = EXTENSIONS,
        sync_policy: SyncPolicy = "if_changed",
        sync_guild_id: int | None = None,
        run_scheduler: bool = True,
    ) -> None:
        # Dispute Desk never joins voice: no start-up warnings about voice libraries it does not need.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=DeskTree,
            allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
            allowed_contexts=app_commands.AppCommandContext(
                guild=True, dm_channel=True, private_channel=True
            ),
            **_shard_options(settings),
        )
        self.settings = settings
        self.db = db
        self.meta = MetaRepository(db)
        self.extension_names = tuple(extensions)
        self.failed_extensions: dict[str, str] = {}
        self.sync_policy: SyncPolicy = sync_policy
        self.sync_guild_id = sync_guild_id if sync_guild_id is not None else settings.dev_guild_id
        self.synced_on_start: bool | None = None
        self.started_monotonic = time.monotonic()
        self.draining = False
        #: Each feature's form handler, by the prefix of its custom ids (see on_interaction).
        self.form_handlers: dict[str, InteractionHandler] = {}
        #: Each feature's button and select handler, by the prefix of its custom ids.
        self.control_handlers: dict[str, InteractionHandler] = {}
        #: Handlers shown every slash command and menu command (after the command's own handler).
        self.command_watchers: list[InteractionHandler] = []
        #: How long a step may take before it is acknowledged first and edited after (see bot.ui).
        self.acknowledge_after_s = ACKNOWLEDGE_AFTER_S
        #: How long what a form shows may take before the click is answered "busy" instead (see bot.ui).
        self.form_ready_s = FORM_READY_S
        self.version = package.__version__
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        #: The sandbox workers user templates render in; None means the process-wide default pool.
        self.render_pool: RenderPool | None = None
        #: Everything timed (reminders, ...): features register a handler per job kind in cog_load.
        self.scheduler = Scheduler(JobRepository(db), self.now)
        self._scheduler_task: asyncio.Task[None] | None = None
        self.run_scheduler = run_scheduler  # False for one-off logins (`sync`): they send nothing

    async def setup_hook(self) -> None:
        applied = await self.db.migrate()
        if applied:
            log.info("database migrated to version %s", applied[-1].version)
        pool = self.render_pool or default_pool()
        self.services = build_services(self.db, self.scheduler.jobs, pool.render_async)
        for name in self.extension_names:
            try:
                await self.load_extension(name)
            except Exception as exc:
                self.failed_extensions[name] = repr(exc)
                log.exception("extension %s failed to load; the others still load", name)
        self.synced_on_start = await self.sync_commands()
        if self.run_scheduler:
            # Jobs that fell due while the bot was down run on this first tick.
            self._scheduler_task = asyncio.create_task(self.scheduler.run(), name="scheduler")

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """The bot's one listener of every interaction (discord.py runs each listener as a task of
        its own, for every interaction): a click or a form goes to the feature its custom id's prefix
        names, so one on a message sent (or a form opened) before a restart is still handled; a
        command goes to the watchers."""
        if interaction.type in (discord.InteractionType.component, discord.InteractionType.modal_submit):
            handlers = (
                self.control_handlers if interaction.type is discord.InteractionType.component else self.form_handlers
            )
            handler = handlers.get(custom_id_of(interaction).partition(":")[0])
            if handler is not None:
                try:
                    await handler(interaction)
                finally:
                    let_go(interaction)
        elif interaction.type is discord.InteractionType.application_command:
            for watcher in self.command_watchers:
                await watcher(interaction)

    async def on_ready(self) -> None:
        assert self.user is not None
        count = len(self.tree.get_commands())
        log.info(
            "ready as %s (%s) in %d servers, %d commands, running %s",
            self.user,
            self.user.id,
            len(self.guilds),
            count,
            self.shards_description(),
        )

    def shards_description(self) -> str:
        return describe_shards(self.shard_ids, self.shard_count)

    async def sync_commands(self) -> bool:
        """Sync the command tree when its payload changed since the last sync (or when forced)."""
        if self.sync_policy == "never":
            return False
        if self.failed_extensions:
            # A partial tree would delete the missing extensions' commands for every user.
            failed = ", ".join(sorted(self.failed_extensions))
            if self.sync_policy == "force":
                raise DisputeDeskError(f"not syncing: extension(s) {failed} failed to load; see the log")
            log.error("not syncing commands: extension(s) %s failed to load", failed)
            return False
        guild = discord.Object(self.sync_guild_id) if self.sync_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = [command.to_dict(self.tree) for command in self.tree._get_all_commands(guild=guild)]
        digest = command_payload_hash(payload)
        key = f"commands_hash:{'global' if guild is None else guild.id}"
        # Several processes (shards on one PostgreSQL) start together: the check, the sync and the
        # record are one transaction under a lock, so the first syncs and the others see its record.
        async with self.db.transaction(lock=f"dispute-desk {key}"):
            stored = await self.meta.get(key)
            if self.sync_policy == "if_changed" and stored is not None and stored.value == digest:
                log.info("commands unchanged since the last sync; not syncing")
                return False
            await self.tree.sync(guild=guild)
            await self.meta.set(key, digest)
        log.info("synced %d commands %s", len(payload), "globally" if guild is None else f"to {guild.id}")
        return True

    async def report_interaction_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:
        """Turn any error raised while handling an interaction into a private, useful answer."""
        original: BaseException = error
        if isinstance(original, app_commands.CommandInvokeError):
            original = original.original
        if isinstance(original, app_commands.TransformerError) and original.__cause__ is not None:
            original = original.__cause__
        if isinstance(original, discord.NotFound) and original.code == UNKNOWN_INTERACTION:
            # Discord's 3 s to answer had passed: nothing can reach the user any more, and trying
            # again (with a traceback logged each time) is work a bot that fell behind cannot spare.
            log.warning("interaction %s expired before it was answered; nothing sent", interaction.id)
        elif isinstance(original, DisputeDeskError):
            await send_private(interaction, str(original))
        elif isinstance(original, app_commands.CommandOnCooldown):
            await send_private(interaction, f"Slow down a little: try again in {original.retry_after:.0f} s.")
        elif isinstance(original, app_commands.CheckFailure):
            await send_private(interaction, "You can't use this here.")
        else:
            error_id = new_error_id()
            command = interaction.command.qualified_name if interaction.command else None
            log.error(
                "unexpected error %s (command=%s, interaction=%s, user=%s)",
                error_id,
                command,
                interaction.id,
                interaction.user.id,
                exc_info=original,
            )
            await send_private(
                interaction,
                f"Something went wrong on our side. Error id: `{error_id}`. Your answers are kept; "
                "try again, and give this id to the bot's owner if it happens again.",
            )

    def now(self) -> datetime:
        """The clock every feature reads (tests set ``clock`` to a fixed moment)."""
        return self.clock()

    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started_monotonic

    async def close(self) -> None:
        """Stop taking interactions, let the ones in flight finish, then disconnect."""
        if not self.draining:
            self.draining = True
            await self.stop_scheduler()
            await self.wait_for_handlers(DRAIN_SECONDS)
        await super().close()

    async def stop_scheduler(self) -> None:
        """Stop claiming jobs after the tick in progress; one cut short runs again when its lease ends."""
        task, self._scheduler_task = self._scheduler_task, None
        if task is None:
            return
        self.scheduler.stop()
        done, _ = await asyncio.wait({task}, timeout=DRAIN_SECONDS)
        if not done:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    async def wait_for_handlers(self, grace_seconds: float) -> None:
        current = asyncio.current_task()
        in_flight = [
            task
            for task in asyncio.all_tasks()
            if task is not current and task.get_name().startswith(_HANDLER_TASK_PREFIXES) and not task.done()
        ]
        if in_flight:
            log.info("waiting for %d interaction(s) in flight", len(in_flight))
            await asyncio.wait(in_flight, timeout=grace_seconds)
