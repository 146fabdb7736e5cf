"""Simulating users: building interaction payloads and sending them to the bot.

:class:`SimulatedInteraction` is an interaction the fake sent and everything the bot answered to it
(tests await it). :class:`InteractionsMixin` is one part of
:class:`~tests.fakediscord.server.FakeDiscord`: the public simulation API (:meth:`~InteractionsMixin.slash`,
:meth:`~InteractionsMixin.autocomplete`, :meth:`~InteractionsMixin.context_menu`,
:meth:`~InteractionsMixin.click`, :meth:`~InteractionsMixin.select`,
:meth:`~InteractionsMixin.submit_modal`), checking typed options against the synced command
definitions, and building the ``INTERACTION_CREATE`` payload for a guild, DM or group DM.
"""

# The public waiters take ``timeout=`` by design (``await res.response(timeout=3)``).

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from ._model import (
    JSON,
    MESSAGE_FLAG_LOADING,
    PATIENCE_S,
    PERM_ALL,
    PERM_BOT_DEFAULT,
    PERM_DEFAULT_MEMBER,
    PERM_USER_APP,
    CallbackRecord,
    FakeChannel,
    FakeDiscordError,
    FakeGuild,
    FakeMessage,
    FakeRole,
    FakeUser,
    RecordedFile,
    SnowflakeFactory,
    Waitable,
    iso,
    member_payload,
    walk_components,
)

if TYPE_CHECKING:
    from .gateway import Gateway
    from .server import FakeDiscord

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

# Option types (Discord's ApplicationCommandOptionType).
OPT_SUB, OPT_GROUP, OPT_STRING, OPT_INT, OPT_BOOL, OPT_USER, OPT_CHANNEL, OPT_ROLE = 1, 2, 3, 4, 5, 6, 7, 8
OPT_MENTIONABLE, OPT_NUMBER, OPT_ATTACHMENT = 9, 10, 11


class SimulatedInteraction:
    """An interaction the fake sent to the bot, and everything the bot answered to it."""

    def __init__(
        self,
        fake: FakeDiscord,
        payload: JSON,
        *,
        user: FakeUser,
        guild: FakeGuild | None,
        channel: FakeChannel,
    ) -> None:
        self.fake = fake
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.user = user
        self.guild = guild
        self.channel = channel
        self.sent_at = 0.0  # loop time when dispatched
        self.created_at = fake.clock()
        self.callback: CallbackRecord | None = None
        self.original: FakeMessage | None = None
        self.followups: list[FakeMessage] = []
        self.source_message: FakeMessage | None = None
        self.modal: JSON | None = None
        self.rejected: list[tuple[int, JSON]] = []
        # Per-interaction, so 1,000 concurrent waiters are not all woken by every request.
        self.changed = Waitable()

    def __repr__(self) -> str:
        return f"<SimulatedInteraction id={self.id} type={self.type} callback={self.callback}>"

    @property
    def user_installed_outside(self) -> bool:
        """True in a guild the bot is not in (user-installed app): no gateway events, 5 followups."""
        return self.guild is not None and not self.guild.bot_member

    async def response(self, timeout: float = PATIENCE_S) -> CallbackRecord:
        """The bot's callback (type and data); raises TimeoutError if it did not answer in time."""
        return await self.changed.wait_for(
            lambda: self.callback, timeout, f"the callback to interaction {self.id} ({self.describe()})"
        )

    @property
    def ack_latency(self) -> float:
        """Seconds from dispatching INTERACTION_CREATE to receiving the callback."""
        if self.callback is None:
            raise FakeDiscordError(f"interaction {self.id} was not answered")
        return self.callback.latency

    async def message(self, timeout: float = PATIENCE_S) -> FakeMessage:
        """The original response message once it has real content (type 4, or type 5 then edited)."""
        return await self.changed.wait_for(
            lambda: (
                self.original
                if self.original is not None and not self.original.flags & MESSAGE_FLAG_LOADING
                else None
            ),
            timeout,
            f"the response message of interaction {self.id} ({self.describe()})",
        )

    async def wait_followups(self, count: int = 1, timeout: float = PATIENCE_S) -> list[FakeMessage]:
        """The first ``count`` followup messages."""
        return await self.changed.wait_for(
            lambda: self.followups[:count] if len(self.followups) >= count else None,
            timeout,
            f"{count} followup(s) to interaction {self.id}",
        )

    async def wait_modal(self, timeout: float = PATIENCE_S) -> JSON:
        """The modal the bot opened (callback type 9 data)."""
        rec = await self.response(timeout)
        if rec.type != 9:
            raise FakeDiscordError(f"interaction {self.id} was answered with type {rec.type}, not a modal")
        assert self.modal is not None
        return self.modal

    async def choices(self, timeout: float = PATIENCE_S) -> list[JSON]:
        """Autocomplete choices the bot returned (callback type 8)."""
        rec = await self.response(timeout)
        if rec.type != 8:
            raise FakeDiscordError(
                f"interaction {self.id} was answered with type {rec.type}, not autocomplete"
            )
        return list(rec.data.get("choices") or [])

    def describe(self) -> str:
        data = self.payload.get("data") or {}
        return str(data.get("name") or data.get("custom_id") or f"type {self.type}")


class InteractionsMixin:
    """The simulation API: users run commands, click, select and submit modals (part of :class:`FakeDiscord`)."""

    if TYPE_CHECKING:  # provided by FakeDiscord and its other parts
        snowflake: SnowflakeFactory
        application_id: int
        gateway: Gateway
        guilds: dict[int, FakeGuild]
        channels: dict[int, FakeChannel]
        interactions: dict[int, SimulatedInteraction]
        _by_token: dict[str, SimulatedInteraction]
        uploads: dict[str, RecordedFile]

        @property
        def base_url(self) -> str: ...
        def dm_channel(self, user: FakeUser) -> FakeChannel: ...
        def find_command(self, name: str, *, type: int = 1, guild: FakeGuild | None = None) -> JSON: ...

    def _base_interaction(
        self,
        itype: int,
        data: JSON,
        *,
        user: FakeUser,
        guild: FakeGuild | None,
        channel: FakeChannel | None,
        dm: bool,
        private_channel: bool,
        permissions: int | None,
        roles: Sequence[FakeRole],
        locale: str | None,
        user_installed: bool | None,
    ) -> SimulatedInteraction:
        if self.gateway.shard_for(guild.id if guild is not None else None).session is None:
            raise FakeDiscordError("the bot is not connected to the gateway (call wait_ready first)")
        iid = self.snowflake()
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "token": f"fake-itoken-{secrets.token_urlsafe(32)}",
            "version": 1,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "locale": locale or user.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
        }
        if guild is not None:
            if channel is None:
                channel = guild.channel
            if permissions is None:
                permissions = PERM_ALL if guild.owner_id == user.id else PERM_DEFAULT_MEMBER
                for role in roles:
                    permissions |= role.permissions
            payload.update(
                guild_id=str(guild.id),
                guild=guild.partial_payload(),
                guild_locale=guild.locale,
                channel_id=str(channel.id),
                channel=channel.to_payload(permissions=permissions),
                member={
                    **member_payload(user, [str(r.id) for r in roles], guild.joined_at),
                    "unusual_dm_activity_until": None,
                    "permissions": str(permissions),
                },
                app_permissions=str(PERM_BOT_DEFAULT if guild.bot_member else PERM_USER_APP),
                context=0,
            )
            owners: JSON = {"0": str(guild.id)} if guild.bot_member else {}
            if user_installed or not guild.bot_member:
                owners["1"] = str(user.id)
            payload["authorizing_integration_owners"] = owners
        else:
            if private_channel:
                channel = channel or FakeChannel(self.snowflake(), 3, "Group", None, [user])
                context = 2
                owners = {"1": str(user.id)}
            else:
                channel = channel or self.dm_channel(user)
                context = 1
                owners = {"1": str(user.id)} if user_installed else {"0": "0"}
            payload.update(
                channel_id=str(channel.id),
                channel=channel.to_payload(),
                user=user.to_payload(),
                app_permissions=str(PERM_USER_APP),
                context=context,
                authorizing_integration_owners=owners,
            )
        return SimulatedInteraction(cast("FakeDiscord", self), payload, user=user, guild=guild, channel=channel)

    def _send(self, inter: SimulatedInteraction) -> SimulatedInteraction:
        self.interactions[inter.id] = inter
        self._by_token[inter.token] = inter
        inter.sent_at = asyncio.get_running_loop().time()
        self.gateway.dispatch("INTERACTION_CREATE", inter.payload)
        return inter

    @staticmethod
    def _default_user_installed(cmd: JSON, guild: FakeGuild | None) -> bool:
        """Which installation authorizes the interaction when the test does not say."""
        if guild is not None:
            return not guild.bot_member
        return 0 not in (cmd.get("integration_types") or [0])

    def _check_available(self, cmd: JSON, inter: SimulatedInteraction) -> None:
        context = inter.payload["context"]
        contexts = cmd.get("contexts")
        if contexts is not None and context not in contexts:
            raise FakeDiscordError(
                f"command {cmd['name']!r} is not available in context {context} ({contexts})"
            )
        if contexts is None and context != 0 and not cmd.get("dm_permission", True):
            raise FakeDiscordError(f"command {cmd['name']!r} is not available in DMs")
        installs = cmd.get("integration_types") or [0]
        owners = inter.payload["authorizing_integration_owners"]
        if not any(str(k) in owners for k in installs):
            raise FakeDiscordError(
                f"command {cmd['name']!r} has integration_types {installs} but the interaction "
                f"is authorized by {sorted(owners)} (guild install 0 / user install 1)"
            )

    def _build_options(
        self,
        defs: list[JSON],
        values: Mapping[str, Any],
        guild: FakeGuild | None,
        resolved: JSON,
        *,
        where: str,
        focused: str | None = None,
    ) -> list[JSON]:
        by_name = {d["name"]: d for d in defs}
        for name in values:
            if name not in by_name:
                raise FakeDiscordError(f"{where} has no option {name!r} (options: {sorted(by_name)})")
        out: list[JSON] = []
        for d in defs:
            name = d["name"]
            if name == focused:
                out.append(
                    {"name": name, "type": d["type"], "value": str(values.get(name, "")), "focused": True}
                )
                continue
            if name not in values:
                if d.get("required") and focused is None:
                    raise FakeDiscordError(f"{where} requires option {name!r}")
                continue
            out.append(
                {
                    "name": name,
                    "type": d["type"],
                    "value": self._option_value(d, values[name], guild, resolved, where),
                }
            )
        return out

    def _option_value(self, d: JSON, value: Any, guild: FakeGuild | None, resolved: JSON, where: str) -> Any:
        otype = d["type"]
        name = d["name"]
        if otype == OPT_STRING:
            if not isinstance(value, str):
                raise FakeDiscordError(f"{where} option {name!r} is a string, got {value!r}")
            if d.get("max_length") is not None and len(value) > d["max_length"]:
                raise FakeDiscordError(f"{where} option {name!r} longer than {d['max_length']}")
            if d.get("min_length") is not None and len(value) < d["min_length"]:
                raise FakeDiscordError(f"{where} option {name!r} shorter than {d['min_length']}")
        elif otype == OPT_INT:
            if not isinstance(value, int) or isinstance(value, bool):
                raise FakeDiscordError(f"{where} option {name!r} is an integer, got {value!r}")
        elif otype == OPT_NUMBER:
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise FakeDiscordError(f"{where} option {name!r} is a number, got {value!r}")
        elif otype == OPT_BOOL:
            if not isinstance(value, bool):
                raise FakeDiscordError(f"{where} option {name!r} is a boolean, got {value!r}")
        elif otype in (OPT_USER, OPT_MENTIONABLE) and isinstance(value, FakeUser):
            resolved.setdefault("users", {})[str(value.id)] = value.to_payload()
            if guild is not None:
                resolved.setdefault("members", {})[str(value.id)] = {
                    "roles": [],
                    "joined_at": iso(guild.joined_at),
                    "flags": 0,
                    "nick": None,
                    "avatar": None,
                    "pending": False,
                    "premium_since": None,
                    "permissions": str(PERM_DEFAULT_MEMBER),
                    "communication_disabled_until": None,
                }
            return str(value.id)
        elif otype in (OPT_ROLE, OPT_MENTIONABLE) and isinstance(value, FakeRole):
            resolved.setdefault("roles", {})[str(value.id)] = value.to_payload()
            return str(value.id)
        elif otype == OPT_ATTACHMENT and isinstance(value, RecordedFile):
            att_id = str(self.snowflake())
            self.uploads[att_id] = value
            url = f"{self.base_url}/attachments/0/{att_id}/{value.filename}"
            resolved.setdefault("attachments", {})[att_id] = {
                "id": att_id, "filename": value.filename, "size": len(value.data), "url": url, "proxy_url": url,
                "content_type": value.content_type,
            }  # fmt: skip
            return att_id
        elif otype == OPT_CHANNEL and isinstance(value, FakeChannel):
            resolved.setdefault("channels", {})[str(value.id)] = {
                **value.to_payload(permissions=PERM_DEFAULT_MEMBER),
            }
            return str(value.id)
        else:
            raise FakeDiscordError(f"{where} option {name!r} of type {otype}: unsupported value {value!r}")
        for bound, op in (("min_value", max), ("max_value", min)):  # value >= min, value <= max
            limit = d.get(bound)
            if limit is not None and isinstance(value, int | float) and op(value, limit) != value:
                raise FakeDiscordError(f"{where} option {name!r}={value} violates {bound}={limit}")
        choices = d.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise FakeDiscordError(f"{where} option {name!r}={value!r} is not one of its choices")
        return value

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any] | None,
        guild: FakeGuild | None,
        *,
        focused: str | None = None,
    ) -> tuple[JSON, JSON]:
        path = name.split()
        cmd = self.find_command(path[0], type=1, guild=guild)
        resolved: JSON = {}
        defs: list[JSON] = cmd.get("options") or []
        nested: list[JSON] = []
        holder = nested
        where = f"/{path[0]}"
        for part in path[1:]:
            sub = next((d for d in defs if d["name"] == part and d["type"] in (OPT_SUB, OPT_GROUP)), None)
            if sub is None:
                raise FakeDiscordError(f"{where} has no subcommand (group) {part!r}")
            entry: JSON = {"name": part, "type": sub["type"], "options": []}
            holder.append(entry)
            holder = entry["options"]
            defs = sub.get("options") or []
            where += f" {part}"
        if any(d["type"] in (OPT_SUB, OPT_GROUP) for d in defs):
            names = [d["name"] for d in defs]
            raise FakeDiscordError(f"{where} needs a subcommand: one of {names}")
        holder.extend(self._build_options(defs, options or {}, guild, resolved, where=where, focused=focused))
        data: JSON = {"id": cmd["id"], "name": cmd["name"], "type": 1}
        if nested:
            data["options"] = nested
        elif holder:
            data["options"] = holder
        if resolved:
            data["resolved"] = resolved
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return cmd, data

    async def slash(
        self,
        name: str,
        *,
        user: FakeUser,
        guild: FakeGuild | None = None,
        channel: FakeChannel | None = None,
        dm: bool = False,
        private_channel: bool = False,
        options: Mapping[str, Any] | None = None,
        permissions: int | None = None,
        roles: Sequence[FakeRole] = (),
        locale: str | None = None,
        user_installed: bool | None = None,
    ) -> SimulatedInteraction:
        """Run ``/name`` (``"group sub"`` for subcommands) as ``user`` with typed ``options``.

        Exactly one place: ``guild=`` (bot member or a user-installed guild), ``dm=True`` (the bot's
        DM) or ``private_channel=True`` (a group DM, user-installed). Options are checked against the
        synced definition; users/roles/channels given as fakes are put in ``resolved``.
        """
        if guild is None and not dm and not private_channel:
            raise FakeDiscordError("say where: guild=..., dm=True or private_channel=True")
        cmd, data = self._command_data(name, options, guild)
        if user_installed is None:
            user_installed = self._default_user_installed(cmd, guild)
        inter = self._base_interaction(
            2,
            data,
            user=user,
            guild=guild,
            channel=channel,
            dm=dm,
            private_channel=private_channel,
            permissions=permissions,
            roles=roles,
            locale=locale,
            user_installed=user_installed,
        )
        self._check_available(cmd, inter)
        return self._send(inter)

    async def autocomplete(
        self,
        name: str,
        *,
        focused: str,
        value: str,
        user: FakeUser,
        guild: FakeGuild | None = None,
        dm: bool = False,
        private_channel: bool = False,
        options: Mapping[str, Any] | None = None,
        locale: str | None = None,
    ) -> SimulatedInteraction:
        """Type ``value`` into option ``focused`` of ``/name``; ``await res.choices()`` for the answer."""
        if guild is None and not dm and not private_channel:
            raise FakeDiscordError("say where: guild=..., dm=True or private_channel=True")
        cmd, data = self._command_data(name, {**(options or {}), focused: value}, guild, focused=focused)
        user_installed = self._default_user_installed(cmd, guild)
        inter = self._base_interaction(
            4,
            data,
            user=user,
            guild=guild,
            channel=None,
            dm=dm,
            private_channel=private_channel,
            permissions=None,
            roles=(),
            locale=locale,
            user_installed=user_installed,
        )
        self._check_available(cmd, inter)
        return self._send(inter)

    async def context_menu(
        self,
        name: str,
        target: FakeMessage | FakeUser,
        *,
        user: FakeUser,
        guild: FakeGuild | None = None,
        dm: bool = False,
        private_channel: bool = False,
        locale: str | None = None,
    ) -> SimulatedInteraction:
        """Run a message (target is a message) or user (target is a user) context menu command."""
        if isinstance(target, FakeMessage):
            ctype = 3
            if guild is None and target.guild_id is not None:
                guild = self.guilds[target.guild_id]
            channel = self.channels.get(target.channel_id) if guild is not None else None
            resolved: JSON = {"messages": {str(target.id): target.to_payload()}}
        else:
            ctype = 2
            channel = None
            resolved = {"users": {str(target.id): target.to_payload()}}
        if guild is None and not dm and not private_channel:
            raise FakeDiscordError("say where: guild=..., dm=True or private_channel=True")
        cmd = self.find_command(name, type=ctype, guild=guild)
        data: JSON = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": ctype,
            "target_id": str(target.id),
            "resolved": resolved,
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        user_installed = self._default_user_installed(cmd, guild)
        inter = self._base_interaction(
            2,
            data,
            user=user,
            guild=guild,
            channel=channel,
            dm=dm,
            private_channel=private_channel,
            permissions=None,
            roles=(),
            locale=locale,
            user_installed=user_installed,
        )
        self._check_available(cmd, inter)
        return self._send(inter)

    def _component_interaction(
        self,
        message: FakeMessage,
        data: JSON,
        user: FakeUser,
        locale: str | None,
        permissions: int | None,
        roles: Sequence[FakeRole] = (),
    ) -> SimulatedInteraction:
        if message.deleted:
            raise FakeDiscordError(f"message {message.id} was deleted")
        guild = self.guilds.get(message.guild_id) if message.guild_id is not None else None
        channel = self.channels.get(message.channel_id)
        origin = self.interactions.get(message.interaction_id) if message.interaction_id else None
        if channel is None and origin is not None:
            channel = origin.channel
        private = bool(origin and origin.payload.get("context") == 2)
        user_installed = bool(origin and "1" in origin.payload.get("authorizing_integration_owners", {}))
        inter = self._base_interaction(
            3,
            data,
            user=user,
            guild=guild,
            channel=channel,
            dm=guild is None and not private,
            private_channel=private,
            permissions=permissions,
            roles=roles,
            locale=locale,
            user_installed=user_installed if guild is not None else None,
        )
        if origin is not None and origin.guild is None and guild is None:
            inter.payload["authorizing_integration_owners"] = origin.payload["authorizing_integration_owners"]
        inter.payload["message"] = message.to_payload()
        inter.source_message = message
        return self._send(inter)

    async def click(
        self,
        message: FakeMessage,
        custom_id: str,
        *,
        user: FakeUser,
        locale: str | None = None,
        permissions: int | None = None,
        roles: Sequence[FakeRole] = (),
    ) -> SimulatedInteraction:
        """Click the button ``custom_id`` on a message the bot sent (as a member with ``roles``)."""
        comp = message.component(custom_id)
        if comp.get("type") != 2:
            raise FakeDiscordError(f"{custom_id!r} is a component of type {comp.get('type')}, not a button")
        if comp.get("disabled"):
            raise FakeDiscordError(f"button {custom_id!r} is disabled")
        data = {"custom_id": custom_id, "component_type": 2, "id": comp.get("id")}
        return self._component_interaction(message, data, user, locale, permissions, roles)

    async def select(
        self,
        message: FakeMessage,
        custom_id: str,
        values: Sequence[Any],
        *,
        user: FakeUser,
        locale: str | None = None,
        permissions: int | None = None,
    ) -> SimulatedInteraction:
        """Pick ``values`` in the select ``custom_id`` (strings for a string select; fakes for others)."""
        comp = message.component(custom_id)
        ctype = comp.get("type")
        if ctype not in (3, 5, 6, 7, 8):
            raise FakeDiscordError(f"{custom_id!r} is a component of type {ctype}, not a select")
        if comp.get("disabled"):
            raise FakeDiscordError(f"select {custom_id!r} is disabled")
        lo, hi = comp.get("min_values", 1), comp.get("max_values", 1)
        if not lo <= len(values) <= hi:
            raise FakeDiscordError(f"select {custom_id!r} takes {lo}..{hi} values, got {len(values)}")
        data: JSON = {"custom_id": custom_id, "component_type": ctype, "id": comp.get("id")}
        if ctype == 3:
            allowed = [o["value"] for o in comp.get("options", [])]
            bad = [v for v in values if v not in allowed]
            if bad:
                raise FakeDiscordError(f"select {custom_id!r} has no option(s) {bad} (options: {allowed})")
            data["values"] = list(values)
        else:
            resolved: JSON = {}
            guild = self.guilds.get(message.guild_id) if message.guild_id else None
            ids = []
            for v in values:
                fake_def = {
                    "type": OPT_MENTIONABLE if ctype in (7,) else {5: 6, 6: 8, 8: 7}[ctype],
                    "name": custom_id,
                }
                ids.append(self._option_value(fake_def, v, guild, resolved, f"select {custom_id!r}"))
            data["values"] = ids
            data["resolved"] = resolved
        return self._component_interaction(message, data, user, locale, permissions)

    async def submit_modal(
        self,
        source: SimulatedInteraction,
        values: Mapping[str, Any],
        *,
        user: FakeUser | None = None,
        locale: str | None = None,
    ) -> SimulatedInteraction:
        """Submit the modal the bot opened in answer to ``source`` with ``{custom_id: value}``.

        Text inputs take strings, selects lists of values. Inputs are sent as Discord does for
        ``ui.Label`` (type 18 wrapping the input) or inside action rows (legacy modals).
        """
        modal = source.modal
        if modal is None:
            raise FakeDiscordError(
                f"interaction {source.id} did not open a modal (callback: {source.callback})"
            )
        unknown = set(values) - {c.get("custom_id") for c in walk_components(modal.get("components", []))}
        if unknown:
            raise FakeDiscordError(f"modal {modal.get('custom_id')!r} has no input(s) {sorted(unknown)}")

        def answer(comp: JSON) -> JSON:
            ctype = comp.get("type")
            cid = str(comp.get("custom_id"))
            if ctype == 4:
                value = values.get(cid, comp.get("value") or "")
                if not isinstance(value, str):
                    raise FakeDiscordError(f"text input {cid!r} takes a string")
                if comp.get("required", True) and not value:
                    raise FakeDiscordError(f"text input {cid!r} is required")
                if value and not comp.get("min_length", 0) <= len(value) <= comp.get("max_length", 4000):
                    raise FakeDiscordError(f"text input {cid!r}: length {len(value)} out of bounds")
                return {"type": 4, "id": comp.get("id"), "custom_id": cid, "value": value}
            if ctype in (3, 5, 6, 7, 8):
                vals = values.get(cid, [])
                return {"type": ctype, "id": comp.get("id"), "custom_id": cid, "values": list(vals)}
            return {"type": ctype, "id": comp.get("id")}

        submitted: list[JSON] = []
        for top in modal.get("components", []):
            if top.get("type") == 18:
                submitted.append({"type": 18, "id": top.get("id"), "component": answer(top["component"])})
            elif top.get("type") == 1:
                submitted.append(
                    {
                        "type": 1,
                        "id": top.get("id"),
                        "components": [answer(c) for c in top.get("components", [])],
                    }
                )
            else:
                submitted.append({"type": top.get("type"), "id": top.get("id")})
        data = {"custom_id": modal.get("custom_id"), "components": submitted}
        who = user or source.user
        # The member keeps the roles they had when they opened the form.
        held = set((source.payload.get("member") or {}).get("roles") or ()) if who is source.user else set()
        roles = [r for r in (source.guild.roles if source.guild else []) if str(r.id) in held]
        inter = self._base_interaction(
            5,
            data,
            user=who,
            guild=source.guild,
            channel=source.channel,
            dm=source.guild is None and source.payload.get("context") == 1,
            private_channel=source.payload.get("context") == 2,
            permissions=None,
            roles=roles,
            locale=locale,
            user_installed="1" in source.payload.get("authorizing_integration_owners", {}),
        )
        inter.payload["authorizing_integration_owners"] = source.payload["authorizing_integration_owners"]
        if source.source_message is not None:
            inter.payload["message"] = source.source_message.to_payload()
            inter.source_message = source.source_message
        return self._send(inter)
