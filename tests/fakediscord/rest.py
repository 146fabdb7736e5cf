"""The fake's REST API: request plumbing and the route handlers that are not interaction answers.

:class:`RestMixin` is one part of :class:`~tests.fakediscord.server.FakeDiscord`. It holds the route
table, reads and records each request (validating its body against the spec, applying injected
faults, checking auth), serves uploaded attachments, and handles the application, gateway, command,
channel-message and DM routes. The routes through which the bot answers interactions (callback,
followups, ``@original``) are in :mod:`.responses`.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from ._model import (
    JSON,
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGE_FLAG_LOADING,
    FakeChannel,
    FakeGuild,
    FakeMessage,
    FakeUser,
    RecordedFile,
    RecordedRequest,
    SnowflakeFactory,
    Waitable,
    number_components,
)
from .spec import template_to_regex

if TYPE_CHECKING:
    from .faults import Fault
    from .gateway import Gateway
    from .interactions import SimulatedInteraction

CALLBACK_ROUTE = "/interactions/{interaction_id}/{interaction_token}/callback"


class HTTPError(Exception):
    """Raised by a route handler to answer with a Discord-style JSON error."""

    def __init__(self, status: int, message: str, code: int = 0, errors: JSON | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: JSON = {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors


@dataclass
class Body:
    """A parsed request: JSON body (or ``payload_json``) and uploaded files."""

    json: Any
    files: list[RecordedFile] = field(default_factory=list)


class RestMixin:
    """REST plumbing and the non-interaction routes (part of :class:`FakeDiscord`)."""

    if TYPE_CHECKING:  # provided by FakeDiscord and its other parts
        clock: Callable[[], float]
        snowflake: SnowflakeFactory
        token: str
        application_id: int
        application_flags: int
        bot_user: FakeUser
        owner: FakeUser
        record_requests: bool
        rest_delay_s: float
        users: dict[int, FakeUser]
        guilds: dict[int, FakeGuild]
        channels: dict[int, FakeChannel]
        messages: dict[int, FakeMessage]
        requests: list[RecordedRequest]
        internal_errors: list[str]
        sync_count: int
        gateway: Gateway
        _by_token: dict[str, SimulatedInteraction]
        _global_commands: dict[tuple[int, str], JSON]
        _guild_commands: dict[int, dict[tuple[int, str], JSON]]
        _routes: list[tuple[str, re.Pattern[str], str, Callable[..., Any]]]
        uploads: dict[str, RecordedFile]
        _changed: Waitable

        @property
        def base_url(self) -> str: ...
        @property
        def gateway_url(self) -> str: ...
        def dm_channel(self, user: FakeUser) -> FakeChannel: ...
        def _validate(self, method: str, route: str, body: Any, creates: bool) -> None: ...
        def _ratelimit_headers(self, route: str | None) -> dict[str, str]: ...
        def _take_fault(self, method: str, path: str) -> Fault | None: ...
        def _fault_response(self, fault: Fault, headers: dict[str, str]) -> web.Response: ...
        async def _r_callback(
            self, params: dict[str, str], body: Body, request: web.Request
        ) -> tuple[int, Any]: ...
        async def _r_followup(
            self, params: dict[str, str], body: Body, request: web.Request
        ) -> tuple[int, Any]: ...
        async def _r_webhook_message(
            self, params: dict[str, str], body: Body, request: web.Request
        ) -> tuple[int, Any]: ...

    # ------------------------------------------------------------------------------ REST plumbing

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], str, Callable[..., Any]]]:
        table: list[tuple[str, str, Callable[..., Any]]] = [
            ("GET", "/users/@me", self._r_get_me),
            ("GET", "/oauth2/applications/@me", self._r_get_application),
            ("GET", "/applications/@me", self._r_get_application),
            ("GET", "/gateway", self._r_gateway),
            ("GET", "/gateway/bot", self._r_gateway),
            ("GET", "/applications/{application_id}/commands", self._r_get_commands),
            ("PUT", "/applications/{application_id}/commands", self._r_put_commands),
            ("POST", "/applications/{application_id}/commands", self._r_post_command),
            ("DELETE", "/applications/{application_id}/commands/{command_id}", self._r_delete_command),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self._r_get_commands),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self._r_put_commands),
            ("POST", "/applications/{application_id}/guilds/{guild_id}/commands", self._r_post_command),
            (
                "DELETE",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self._r_delete_command,
            ),
            ("POST", CALLBACK_ROUTE, self._r_callback),
            ("POST", "/webhooks/{webhook_id}/{webhook_token}", self._r_followup),
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self._r_webhook_message),
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self._r_webhook_message),
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self._r_webhook_message),
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self._r_webhook_message),
            (
                "PATCH",
                "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
                self._r_webhook_message,
            ),
            (
                "DELETE",
                "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
                self._r_webhook_message,
            ),
            ("POST", "/channels/{channel_id}/messages", self._r_channel_post),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._r_channel_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._r_channel_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._r_channel_message),
            ("GET", "/channels/{channel_id}", self._r_get_channel),
            ("POST", "/channels/{channel_id}/threads", self._r_start_thread),
            ("POST", "/channels/{channel_id}/messages/{message_id}/threads", self._r_thread_from_message),
            ("POST", "/users/@me/channels", self._r_create_dm),
        ]
        return [(m, template_to_regex(t), t, h) for m, t, h in table]

    def _match(self, method: str, path: str) -> tuple[str, dict[str, str], Callable[..., Any]] | None:
        for m, rx, template, handler in self._routes:
            if m != method:
                continue
            found = rx.match(path)
            if found:
                return template, found.groupdict(), handler
        return None

    @staticmethod
    def _json_response(status: int, data: Any, headers: dict[str, str]) -> web.Response:
        # Exactly "application/json": discord.py compares the header verbatim.
        headers["Content-Type"] = "application/json"
        return web.Response(status=status, body=json.dumps(data).encode(), headers=headers)

    async def _read_body(self, request: web.Request) -> Body:
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            reader = await request.multipart()
            payload: Any = None
            files: list[RecordedFile] = []
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                name = part.name or ""
                raw = await part.read(decode=False)
                if name == "payload_json":
                    payload = json.loads(raw.decode() or "null")
                else:
                    files.append(
                        RecordedFile(
                            name,
                            part.filename or name,
                            part.headers.get("Content-Type"),
                            bytes(raw),
                        )
                    )
            return Body(payload, files)
        raw_text = await request.text()
        if not raw_text:
            return Body(None)
        try:
            return Body(json.loads(raw_text))
        except ValueError:
            raise HTTPError(400, "400: Bad Request (body is not JSON)", 50109) from None

    def _check_auth(self, request: web.Request, route: str) -> None:
        if route.startswith(("/interactions/", "/webhooks/{webhook_id}/{webhook_token}")):
            return
        if request.headers.get("Authorization") != f"Bot {self.token}":
            raise HTTPError(401, "401: Unauthorized", 0)

    def _creates_message(self, method: str, route: str, params: Mapping[str, str], body: Any) -> bool:
        if method == "POST" and route in (
            "/webhooks/{webhook_id}/{webhook_token}",
            "/channels/{channel_id}/messages",
        ):
            return True
        if method == "PATCH" and route.endswith("/messages/@original"):
            inter = self._by_token.get(params.get("webhook_token", ""))
            return bool(inter and inter.original and inter.original.flags & MESSAGE_FLAG_LOADING)
        return False

    async def _handle_rest(self, request: web.Request) -> web.Response:
        if self.rest_delay_s:
            await asyncio.sleep(self.rest_delay_s)
        path = "/" + request.match_info["tail"]
        method = request.method
        matched = self._match(method, path)
        route = matched[0] if matched else None
        headers = dict(request.headers.items())
        if "Authorization" in headers:
            headers["Authorization"] = "[redacted]"
        rec = RecordedRequest(
            method=method,
            path=path,
            route=route,
            query=dict(request.query),
            json=None,
            headers=headers,
            time=self.clock(),
        )
        if self.record_requests:
            self.requests.append(rec)
        rl_headers = self._ratelimit_headers(route)
        try:
            body = await self._read_body(request)
            rec.json, rec.files = body.json, body.files
            if matched is None:
                raise HTTPError(404, "404: Not Found", 0)
            template, params, handler = matched
            if body.json is not None:
                self._validate(
                    method, template, body.json, self._creates_message(method, template, params, body.json)
                )
            fault = self._take_fault(method, path)
            if fault is not None:
                rec.fault = True
                rec.status = fault.status
                return self._fault_response(fault, rl_headers)
            self._check_auth(request, template)
            status, data = await handler(params, body, request)
        except HTTPError as err:
            rec.status = err.status
            self._changed.notify()
            return self._json_response(err.status, err.body, rl_headers)
        except Exception as exc:  # a bug in the fake: answer like Discord, and let the fixture fail
            self.internal_errors.append(f"{method} {path}: {exc!r}")
            rec.status = 500
            self._changed.notify()
            return self._json_response(500, {"message": "500: Internal Server Error", "code": 0}, rl_headers)
        rec.status = status
        self._changed.notify()
        if status == 204:
            return web.Response(status=204, headers=rl_headers)
        return self._json_response(status, data, rl_headers)

    async def _handle_attachment(self, request: web.Request) -> web.Response:
        upload = self.uploads.get(request.match_info["attachment_id"])
        if upload is not None:  # a file given in a slash command's attachment option
            return web.Response(body=upload.data, content_type=upload.content_type or "application/octet-stream")
        msg = self.messages.get(int(request.match_info["message_id"]))
        if msg is not None:
            for att, f in zip(msg.attachments, msg.files, strict=False):
                if att["id"] == request.match_info["attachment_id"]:
                    return web.Response(
                        body=f.data, content_type=f.content_type or "application/octet-stream"
                    )
        return web.Response(status=404)

    # ------------------------------------------------------------------------------ REST routes

    async def _r_get_me(self, params: dict[str, str], body: Body, request: web.Request) -> tuple[int, Any]:
        return 200, {
            **self.bot_user.to_payload(),
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
        }

    async def _r_get_application(
        self, params: dict[str, str], body: Body, request: web.Request
    ) -> tuple[int, Any]:
        return 200, {
            "id": str(self.application_id),
            "name": self.bot_user.global_name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": self.application_flags,
            "owner": self.owner.to_payload(),
            "team": None,
            "bot": self.bot_user.to_payload(),
            "rpc_origins": [],
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "integration_types_config": {"0": {}, "1": {}},
            "approximate_guild_count": sum(1 for g in self.guilds.values() if g.bot_member),
        }

    async def _r_gateway(self, params: dict[str, str], body: Body, request: web.Request) -> tuple[int, Any]:
        return 200, {
            "url": self.gateway_url.rstrip("/"),
            "shards": self.gateway.shard_count,
            # Several shards may identify at once, so a sharded bot is ready without 5 s waits.
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 16},
        }

    def _command_scope(self, params: dict[str, str]) -> dict[tuple[int, str], JSON]:
        if int(params["application_id"]) != self.application_id:
            raise HTTPError(403, "Missing Access", 50001)
        if "guild_id" not in params:
            return self._global_commands
        gid = int(params["guild_id"])
        guild = self.guilds.get(gid)
        if guild is None:
            raise HTTPError(404, "Unknown Guild", 10004)
        if not guild.bot_member:
            raise HTTPError(403, "Missing Access", 50001)
        return self._guild_commands.setdefault(gid, {})

    def _stored_command(self, cmd: JSON, old: JSON | None, guild_id: str | None) -> JSON:
        ctype = cmd.get("type") or 1
        stored: JSON = {
            "id": old["id"] if old else str(self.snowflake()),
            "application_id": str(self.application_id),
            "version": str(self.snowflake()),
            "type": ctype,
            "name": cmd.get("name"),
            "name_localizations": cmd.get("name_localizations"),
            "description": cmd.get("description") or "",
            "description_localizations": cmd.get("description_localizations"),
            "default_member_permissions": (
                str(cmd["default_member_permissions"])
                if cmd.get("default_member_permissions") is not None
                else None
            ),
            "dm_permission": cmd.get("dm_permission", True),
            "nsfw": bool(cmd.get("nsfw", False)),
            "integration_types": cmd.get("integration_types") or [0],
            "contexts": cmd.get("contexts"),
        }
        if cmd.get("options"):
            stored["options"] = copy.deepcopy(cmd["options"])
        if guild_id is not None:
            stored["guild_id"] = guild_id
        return stored

    async def _r_get_commands(
        self, params: dict[str, str], body: Body, request: web.Request
    ) -> tuple[int, Any]:
        return 200, list(self._command_scope(params).values())

    async def _r_put_commands(
        self, params: dict[str, str], body: Body, request: web.Request
    ) -> tuple[int, Any]:
        scope = self._command_scope(params)
        if not isinstance(body.json, list):
            raise HTTPError(400, "Invalid Form Body", 50035)
        new: dict[tuple[int, str], JSON] = {}
        for cmd in body.json:
            key = (cmd.get("type") or 1, str(cmd.get("name")))
            new[key] = self._stored_command(cmd, scope.get(key), params.get("guild_id"))
        scope.clear()
        scope.update(new)
        self.sync_count += 1
        return 200, list(new.values())

    async def _r_post_command(
        self, params: dict[str, str], body: Body, request: web.Request
    ) -> tuple[int, Any]:
        scope = self._command_scope(params)
        cmd = body.json if isinstance(body.json, dict) else {}
        key = (cmd.get("type") or 1, str(cmd.get("name")))
        existed = key in scope
        scope[key] = self._stored_command(cmd, scope.get(key), params.get("guild_id"))
        return (200 if existed else 201), scope[key]

    async def _r_delete_command(
        self, params: dict[str, str], body: Body, request: web.Request
    ) -> tuple[int, Any]:
        scope = self._command_scope(params)
        for key, cmd in list(scope.items()):
            if cmd["id"] == params["command_id"]:
                del scope[key]
                return 204, None
        raise HTTPError(404, "Unknown application command", 10063)

    # ------------------------------------------------------------------------------ REST routes: channels & DMs

    def _writable_channel(self, channel_id: str) -> FakeChannel:
        ch = self.channels.get(int(channel_id)) if channel_id.isdigit() else None
        if ch is None:
            raise HTTPError(404, "Unknown Channel", 10003)
        if ch.guild_id is not None and not self.guilds[ch.guild_id].bot_member:
            raise HTTPError(403, "Missing Access", 50001)
        return ch

    async def _r_channel_post(
        self, params: dict[str, str], body: Body, request: web.Request
    ) -> tuple[int, Any]:
        ch = self._writable_channel(params["channel_id"])
        if ch.type == 1 and any(not user.accepts_dms for user in ch.recipients):
            # Opening the DM channel succeeds; only sending fails, as on Discord.
            raise HTTPError(403, "Cannot send messages to this user", 50007)
        data = body.json if isinstance(body.json, dict) else {}
        msg = FakeMessage(
            id=self.snowflake(),
            channel_id=ch.id,
            guild_id=ch.guild_id,
            author=self.bot_user,
            created_at=self.clock(),
            source="channel",
        )
        self._apply_edit(msg, data, body.files, creating=True)
        self.messages[msg.id] = msg
        self._maybe_dispatch_message("MESSAGE_CREATE", msg)
        return 200, msg.to_payload()

    def _maybe_dispatch_message(self, event: str, msg: FakeMessage) -> None:
        session = self.gateway.shard_for(msg.guild_id).session
        if session is None:
            return
        wanted = (1 << 9) if msg.guild_id is not None else (1 << 12)
        if session.intents & wanted:
            self.gateway.dispatch(event, msg.to_payload())

    async def _r_channel_message(
        self, params: dict[str, str], body: Body, request: web.Request
    ) -> tuple[int, Any]:
        ch = self._writable_channel(params["channel_id"])
        msg = self.messages.get(int(params["message_id"])) if params["message_id"].isdigit() else None
        if msg is None or msg.deleted or msg.channel_id != ch.id:
            raise HTTPError(404, "Unknown Message", 10008)
        if request.method == "GET":
            return 200, msg.to_payload()
        if msg.author is not self.bot_user and request.method == "PATCH":
            raise HTTPError(403, "Cannot edit a message authored by another user", 50005)
        if request.method == "DELETE":
            msg.deleted = True
            return 204, None
        self._apply_edit(msg, body.json if isinstance(body.json, dict) else {}, body.files, creating=False)
        self._maybe_dispatch_message("MESSAGE_UPDATE", msg)
        return 200, msg.to_payload()

    async def _r_get_channel(
        self, params: dict[str, str], body: Body, request: web.Request
    ) -> tuple[int, Any]:
        ch = self._writable_channel(params["channel_id"])
        return 200, ch.to_payload()

    def _new_thread(self, parent: FakeChannel, name: str) -> FakeChannel:
        owner = self.bot_user.id
        thread = FakeChannel(self.snowflake(), 11, name, parent.guild_id, parent_id=parent.id, owner_id=owner)
        self.channels[thread.id] = thread
        return thread

    async def _r_start_thread(self, params: dict[str, str], body: Body, request: web.Request) -> tuple[int, Any]:
        """A forum post (a thread with its first message); only forum channels are modelled here."""
        parent = self._writable_channel(params["channel_id"])
        data = body.json if isinstance(body.json, dict) else {}
        if parent.type != 15 or not isinstance(data.get("message"), dict):
            raise HTTPError(400, "Invalid Form Body", 50035)
        thread = self._new_thread(parent, str(data.get("name") or ""))
        msg = FakeMessage(
            id=thread.id, channel_id=thread.id, guild_id=thread.guild_id, author=self.bot_user,
            created_at=self.clock(), source="channel",
        )  # fmt: skip
        self._apply_edit(msg, data["message"], body.files, creating=True)
        self.messages[msg.id] = msg
        return 201, {**thread.to_payload(), "message": msg.to_payload()}

    async def _r_thread_from_message(
        self, params: dict[str, str], body: Body, request: web.Request
    ) -> tuple[int, Any]:
        parent = self._writable_channel(params["channel_id"])
        msg = self.messages.get(int(params["message_id"])) if params["message_id"].isdigit() else None
        if msg is None or msg.channel_id != parent.id or parent.type != 0:
            raise HTTPError(404, "Unknown Message", 10008)
        data = body.json if isinstance(body.json, dict) else {}
        thread = self._new_thread(parent, str(data.get("name") or ""))
        return 201, thread.to_payload()

    async def _r_create_dm(self, params: dict[str, str], body: Body, request: web.Request) -> tuple[int, Any]:
        data = body.json if isinstance(body.json, dict) else {}
        try:
            user = self.users[int(data.get("recipient_id") or 0)]
        except (KeyError, ValueError):
            raise HTTPError(400, "Invalid Recipient(s)", 50033) from None
        return 200, self.dm_channel(user).to_payload()

    # ------------------------------------------------------------------------------ message bodies

    def _apply_edit(self, msg: FakeMessage, data: JSON, files: list[RecordedFile], *, creating: bool) -> None:
        if "allowed_mentions" in data:
            msg.allowed_mentions = copy.deepcopy(data["allowed_mentions"])
        if "content" in data:
            msg.content = data["content"] or ""
        if "embeds" in data:
            msg.embeds = copy.deepcopy(data["embeds"] or [])
        if "components" in data:
            msg.components = number_components(copy.deepcopy(data["components"] or []))
        if "flags" in data and data["flags"] is not None:
            keep = msg.flags & MESSAGE_FLAG_EPHEMERAL if not creating else 0
            msg.flags = int(data["flags"]) | keep
        if "attachments" in data and not creating:
            wanted = {str(a.get("id")) for a in data["attachments"] or []}
            kept = [(a, f) for a, f in zip(msg.attachments, msg.files, strict=False) if a["id"] in wanted]
            msg.attachments = [a for a, _ in kept]
            msg.files = [f for _, f in kept]
        for f in files:
            att_id = str(self.snowflake())
            msg.attachments.append(
                {
                    "id": att_id,
                    "filename": f.filename,
                    "size": len(f.data),
                    "url": f"{self.base_url}/attachments/{msg.id}/{att_id}/{f.filename}",
                    "proxy_url": f"{self.base_url}/attachments/{msg.id}/{att_id}/{f.filename}",
                    "content_type": f.content_type,
                }
            )
            msg.files.append(f)
        if not creating:
            msg.edited_at = self.clock()
            msg.edits += 1
