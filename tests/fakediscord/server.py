"""FakeDiscord: Discord's REST API and gateway on 127.0.0.1 for the real discord.py client.

Start it with ``async with FakeDiscord() as fake``, point discord.py at it with
``fake.patch_discord()`` (or the env vars ``DISCORD_API_BASE_URL``/``DISCORD_GATEWAY_URL`` in a
subprocess), then drive interactions with :meth:`FakeDiscord.slash`, :meth:`FakeDiscord.click` ...

This module holds :class:`FakeDiscord` itself: its state, lifecycle (start/stop, URLs, patching
discord.py), the world it simulates (users, guilds, channels, messages), synced commands, recorded
requests and spec validation. The rest of its behaviour comes from mixins, one module each:

- :mod:`.rest`: REST plumbing and the non-interaction routes (:class:`~.rest.RestMixin`);
- :mod:`.responses`: the routes the bot answers interactions through (callback, followups, ``@original``);
- :mod:`.interactions`: :class:`SimulatedInteraction` and the simulation API (``slash``, ``click`` ...);
- :mod:`.faults`: :class:`Fault`, :meth:`FakeDiscord.fail_next` and rate-limit headers;
- :mod:`.gateway`: the websocket gateway (a :class:`~.gateway.Gateway` held as ``fake.gateway``).
"""

# The public waiters take ``timeout=`` by design (``await res.response(timeout=3)``).

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from aiohttp import web

from ._model import (
    JSON,
    PATIENCE_S,
    PERM_BOT_DEFAULT,
    PERM_DEFAULT_MEMBER,
    FakeChannel,
    FakeDiscordError,
    FakeGuild,
    FakeMessage,
    FakeRole,
    FakeUser,
    RecordedFile,
    RecordedRequest,
    SnowflakeFactory,
    Waitable,
)
from .faults import Fault, FaultsMixin
from .gateway import Gateway
from .interactions import (
    ATTACHMENT_SIZE_LIMIT,
    OPT_ATTACHMENT,
    OPT_BOOL,
    OPT_CHANNEL,
    OPT_GROUP,
    OPT_INT,
    OPT_MENTIONABLE,
    OPT_NUMBER,
    OPT_ROLE,
    OPT_STRING,
    OPT_SUB,
    OPT_USER,
    InteractionsMixin,
    SimulatedInteraction,
)
from .responses import MAX_USER_APP_FOLLOWUPS, TOKEN_LIFETIME, InteractionResponsesMixin
from .rest import CALLBACK_ROUTE, Body, HTTPError, RestMixin
from .spec import SpecProblem, SpecValidator, load_validator

# Names defined here before the split into modules stay importable from here.
__all__ = [
    "ATTACHMENT_SIZE_LIMIT",
    "CALLBACK_ROUTE",
    "MAX_USER_APP_FOLLOWUPS",
    "OPT_ATTACHMENT",
    "OPT_BOOL",
    "OPT_CHANNEL",
    "OPT_GROUP",
    "OPT_INT",
    "OPT_MENTIONABLE",
    "OPT_NUMBER",
    "OPT_ROLE",
    "OPT_STRING",
    "OPT_SUB",
    "OPT_USER",
    "TOKEN_LIFETIME",
    "Body",
    "FakeDiscord",
    "Fault",
    "HTTPError",
    "SimulatedInteraction",
    "ValidateMode",
]

ValidateMode = bool | Literal["deferred"]


class FakeDiscord(RestMixin, InteractionResponsesMixin, InteractionsMixin, FaultsMixin):
    """A fake Discord on 127.0.0.1 that the real discord.py client logs in to.

    ``validate``: True validates each request body as it arrives, ``"deferred"`` stores bodies and
    validates them when :attr:`spec_problems` is read (cheaper on the hot path), False never.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        validate: ValidateMode = True,
        spec_dir: Path | None = None,
        clock: Callable[[], float] = time.time,
        interaction_deadline: float = 3.0,
        heartbeat_interval_ms: int = 41_250,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_name: str = "Dispute Desk",
        record_requests: bool = True,
        shard_count: int = 1,
        rest_delay_s: float = 0.0,
    ) -> None:
        self.clock = clock
        #: Seconds each REST request waits before it is handled: Discord's network round trip, which
        #: on loopback is about nothing (a real bot waits tens of milliseconds for every answer).
        self.rest_delay_s = rest_delay_s
        self.snowflake = SnowflakeFactory(clock)
        self.token = token or f"fake-token-for-tests.000000.{secrets.token_urlsafe(24)}"
        self.application_id = self.snowflake()
        self.application_flags = 1 << 23  # APPLICATION_COMMAND_BADGE
        self.bot_user = FakeUser(self.application_id, bot_name.lower().replace(" ", "-"), bot_name, bot=True)
        self.owner = FakeUser(self.snowflake(), "owner", "App Owner")
        self.interaction_deadline = interaction_deadline
        self.host = host
        self._port_wanted = port
        self.port = 0
        self.record_requests = record_requests

        self.users: dict[int, FakeUser] = {self.bot_user.id: self.bot_user, self.owner.id: self.owner}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.dm_channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, FakeMessage] = {}
        self.uploads: dict[str, RecordedFile] = {}  # files given in attachment options, by attachment id
        self.requests: list[RecordedRequest] = []
        self.interactions: dict[int, SimulatedInteraction] = {}
        self._by_token: dict[str, SimulatedInteraction] = {}
        self._global_commands: dict[tuple[int, str], JSON] = {}
        self._guild_commands: dict[int, dict[tuple[int, str], JSON]] = {}
        self.sync_count = 0
        self._faults: list[Fault] = []
        self.internal_errors: list[str] = []
        self._changed = Waitable()

        if validate:
            self.validator: SpecValidator | None = load_validator(spec_dir)
            self.validate_mode: ValidateMode = validate
        else:
            self.validator = None
            self.validate_mode = False
        self._problems: list[SpecProblem] = []
        self._pending_validation: list[tuple[str, str, Any, bool]] = []

        self.gateway = Gateway(self, heartbeat_interval_ms=heartbeat_interval_ms, shard_count=shard_count)
        self._routes = self._build_routes()
        self._runner: web.AppRunner | None = None
        self._bucket_cache: dict[str, str] = {}

    # ------------------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle_rest)
        app.router.add_get("/attachments/{message_id}/{attachment_id}/{filename}", self._handle_attachment)
        app.router.add_get("/", self.gateway.handle)
        app.router.add_get("/resume", self.gateway.handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._port_wanted)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._runner is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.gateway.close_all(), 2.0)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._runner.cleanup(), 5.0)
        self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base_url(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/resume"

    def env(self) -> dict[str, str]:
        """Environment variables for a bot subprocess."""
        return {
            "DISCORD_API_BASE_URL": self.api_base_url,
            "DISCORD_GATEWAY_URL": self.gateway_url,
            "DISCORD_TOKEN": self.token,
        }

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[FakeDiscord]:
        """Point discord.py's REST base and default gateway here; restore both on exit."""
        import discord.gateway
        import discord.http
        import yarl

        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield self
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    async def wait_ready(self, timeout: float = PATIENCE_S, *, shards: Sequence[int] | None = None) -> None:
        """Wait until the bot has identified (or resumed) and received READY/RESUMED.

        ``shards`` waits for those shards only (one of several bot processes); by default, for all.
        """
        events = [self.gateway.ready] if shards is None else [self.gateway.shards[n].ready for n in shards]
        try:
            await asyncio.wait_for(asyncio.gather(*(event.wait() for event in events)), timeout)
        except TimeoutError:
            raise TimeoutError(f"the bot did not finish IDENTIFY/RESUME within {timeout}s") from None

    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = PATIENCE_S, what: str = "condition"
    ) -> Any:
        """Wait until ``predicate()`` is truthy, re-checked after every request and gateway frame."""
        return await self._changed.wait_for(predicate, timeout, what)

    async def gateway_fault(self, kind: str, *, code: int = 4000, resumable: bool = True, shard: int = 0) -> None:
        """``close`` (with ``code``), ``drop`` (no close frame), ``reconnect`` (op 7), ``invalid_session``."""
        await self.gateway.fault(kind, code=code, resumable=resumable, shard=shard)

    def dispatch(self, event: str, data: JSON) -> int:
        """Send a raw gateway DISPATCH; returns its sequence number."""
        return self.gateway.dispatch(event, data)

    # ------------------------------------------------------------------------------ world

    def add_user(self, username: str, *, global_name: str | None = None, locale: str = "en-US") -> FakeUser:
        user = FakeUser(self.snowflake(), username, global_name or username.title(), locale=locale)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str = "Test Guild",
        *,
        bot_member: bool = True,
        owner: FakeUser | None = None,
        channels: Sequence[str] = ("general",),
        locale: str = "en-US",
        shard: int | None = None,
    ) -> FakeGuild:
        """A guild; ``bot_member=False`` is a server where a user installed the app (no GUILD_CREATE).

        ``shard`` picks an id whose events go to that shard (``(id >> 22) % shard_count``).
        """
        gid = self.snowflake() if shard is None else self.snowflake.on_shard(shard, self.gateway.shard_count)
        chans = [FakeChannel(self.snowflake(), 0, ch, gid) for ch in channels]
        guild = FakeGuild(
            id=gid,
            name=name,
            owner_id=(owner or self.owner).id,
            bot_member=bot_member,
            channels=chans,
            roles=[FakeRole(gid, "@everyone", PERM_DEFAULT_MEMBER)],
            locale=locale,
            joined_at=self.clock(),
        )
        self.guilds[gid] = guild
        for ch in chans:
            self.channels[ch.id] = ch
        if bot_member and self.gateway.shard_for(gid).session is not None:
            self.gateway.dispatch("GUILD_CREATE", self.guild_create_payload(guild))
        return guild

    def add_channel(self, guild: FakeGuild, name: str, *, type: int = 0) -> FakeChannel:
        """Another channel of ``guild``: text (0) or forum (15); the bot hears of it (CHANNEL_CREATE)."""
        channel = FakeChannel(self.snowflake(), type, name, guild.id)
        guild.channels.append(channel)
        self.channels[channel.id] = channel
        if guild.bot_member and self.gateway.session is not None:
            self.gateway.dispatch("CHANNEL_CREATE", channel.to_payload())
        return channel

    def add_role(self, guild: FakeGuild, name: str, permissions: int = 0) -> FakeRole:
        role = FakeRole(self.snowflake(), name, permissions, position=len(guild.roles))
        guild.roles.append(role)
        return role

    def guild_create_payload(self, guild: FakeGuild) -> JSON:
        return guild.to_create_payload(self.bot_user, PERM_BOT_DEFAULT)

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        """The DM channel between ``user`` and the bot (created on first use)."""
        ch = self.dm_channels.get(user.id)
        if ch is None:
            ch = FakeChannel(self.snowflake(), 1, None, None, [user])
            self.dm_channels[user.id] = ch
            self.channels[ch.id] = ch
        return ch

    def add_message(self, channel: FakeChannel, author: FakeUser, content: str) -> FakeMessage:
        """A message written by a user (e.g. the target of a message context menu)."""
        msg = FakeMessage(
            id=self.snowflake(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            created_at=self.clock(),
            content=content,
            source="user",
        )
        self.messages[msg.id] = msg
        return msg

    def bot_messages(self) -> list[FakeMessage]:
        return [m for m in self.messages.values() if m.author is self.bot_user and not m.deleted]

    # ------------------------------------------------------------------------------ commands

    def commands(self, guild: FakeGuild | int | None = None) -> list[JSON]:
        """The commands currently synced, global or for ``guild``."""
        if guild is None:
            return list(self._global_commands.values())
        gid = guild if isinstance(guild, int) else guild.id
        return list(self._guild_commands.get(gid, {}).values())

    def find_command(self, name: str, *, type: int = 1, guild: FakeGuild | None = None) -> JSON:
        """The synced command a user in ``guild`` would see (guild commands shadow global ones)."""
        if guild is not None and guild.bot_member:
            cmd = self._guild_commands.get(guild.id, {}).get((type, name))
            if cmd is not None:
                return cmd
        cmd = self._global_commands.get((type, name))
        if cmd is None:
            synced = sorted(n for (_, n) in self._global_commands)
            raise FakeDiscordError(f"no synced command {name!r} of type {type} (global: {synced})")
        return cmd

    # ------------------------------------------------------------------------------ requests & spec validation

    def requests_to(self, method: str, route: str) -> list[RecordedRequest]:
        """Recorded requests by method and route template.

        Example: ``fake.requests_to("PUT", "/applications/{application_id}/commands")``.
        """
        return [r for r in self.requests if r.method == method and r.route == route]

    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.route is None]

    @property
    def spec_problems(self) -> list[SpecProblem]:
        """Validation problems found so far (runs deferred validation first)."""
        self._flush_validation()
        return self._problems

    def take_spec_problems(self) -> list[SpecProblem]:
        """Return and clear the problems (for tests that expect some)."""
        problems = list(self.spec_problems)
        self._problems.clear()
        return problems

    def _flush_validation(self) -> None:
        if not self._pending_validation or self.validator is None:
            return
        pending, self._pending_validation = self._pending_validation, []
        for method, route, body, creates in pending:
            self._problems += self.validator.validate(method, route, body, creates_message=creates)

    def _validate(self, method: str, route: str, body: Any, creates: bool) -> None:
        if self.validate_mode is False or self.validator is None:
            return
        if self.validate_mode == "deferred":
            self._pending_validation.append((method, route, body, creates))
        else:
            self._problems += self.validator.validate(method, route, body, creates_message=creates)
