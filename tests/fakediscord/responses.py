"""The REST routes through which the bot answers interactions.

:class:`InteractionResponsesMixin` is one part of :class:`~tests.fakediscord.server.FakeDiscord`:
the interaction callback (with Discord's deadline, double-acknowledge and callback-type rules),
webhook followups (including the deferred "thinking" message and the user-app followup cap), and
reading, editing and deleting ``@original`` and followup messages. Each answer is recorded on its
:class:`~tests.fakediscord.interactions.SimulatedInteraction`.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._model import (
    JSON,
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGE_FLAG_LOADING,
    CallbackRecord,
    FakeMessage,
    FakeUser,
    RecordedFile,
    SnowflakeFactory,
    number_components,
)
from .rest import Body, HTTPError

if TYPE_CHECKING:
    from .interactions import SimulatedInteraction

TOKEN_LIFETIME = 15 * 60
MAX_USER_APP_FOLLOWUPS = 5


class InteractionResponsesMixin:
    """Interaction callbacks, followups and ``@original`` (part of :class:`FakeDiscord`)."""

    if TYPE_CHECKING:  # provided by FakeDiscord and its other parts
        clock: Callable[[], float]
        snowflake: SnowflakeFactory
        application_id: int
        bot_user: FakeUser
        interaction_deadline: float
        messages: dict[int, FakeMessage]
        interactions: dict[int, SimulatedInteraction]
        _by_token: dict[str, SimulatedInteraction]

        def _apply_edit(
            self, msg: FakeMessage, data: JSON, files: list[RecordedFile], *, creating: bool
        ) -> None: ...

    def _message_from_body(
        self,
        data: JSON,
        files: list[RecordedFile],
        inter: SimulatedInteraction,
        source: str,
        *,
        loading: bool = False,
    ) -> FakeMessage:
        msg = FakeMessage(
            id=self.snowflake(),
            channel_id=inter.channel.id,
            guild_id=inter.guild.id if inter.guild else None,
            author=self.bot_user,
            created_at=self.clock(),
            webhook_id=self.application_id,
            application_id=self.application_id,
            interaction_id=inter.id,
            source=source,
            interaction_metadata={
                "id": str(inter.id),
                "type": inter.type,
                "user": inter.user.to_payload(),
                "authorizing_integration_owners": inter.payload.get("authorizing_integration_owners", {}),
            },
        )
        self._apply_edit(msg, data, files, creating=True)
        if loading:
            msg.flags |= MESSAGE_FLAG_LOADING
        self.messages[msg.id] = msg
        return msg

    def _interaction_by_token(self, params: dict[str, str]) -> SimulatedInteraction:
        if int(params["webhook_id"]) != self.application_id:
            raise HTTPError(404, "Unknown Webhook", 10015)
        inter = self._by_token.get(params["webhook_token"])
        if inter is None:
            raise HTTPError(401, "Invalid Webhook Token", 50027)
        if self.clock() - inter.created_at > TOKEN_LIFETIME:
            raise HTTPError(401, "Invalid Webhook Token", 50027)
        return inter

    async def _r_callback(self, params: dict[str, str], body: Body, request: web.Request) -> tuple[int, Any]:
        inter = self.interactions.get(int(params["interaction_id"]))
        if inter is None or inter.token != params["interaction_token"]:
            raise HTTPError(404, "Unknown interaction", 10062)
        try:
            return self._callback(inter, body)
        finally:
            inter.changed.notify()

    def _callback(self, inter: SimulatedInteraction, body: Body) -> tuple[int, Any]:
        cb = body.json if isinstance(body.json, dict) else {}
        kind = cb.get("type")
        data = cb.get("data") or {}
        loop = asyncio.get_running_loop()
        latency = loop.time() - inter.sent_at
        if inter.callback is not None:
            inter.rejected.append((400, cb))
            raise HTTPError(400, "Interaction has already been acknowledged.", 40060)
        if latency > self.interaction_deadline:
            inter.rejected.append((404, cb))
            raise HTTPError(404, "Unknown interaction", 10062)
        allowed = {
            1: set(),
            2: {4, 5, 9},
            3: {4, 5, 6, 7, 9},
            4: {8},
            5: {4, 5, 6, 7},
        }.get(inter.type, set())
        if kind in (6, 7) and inter.source_message is None:
            allowed = allowed - {6, 7}
        if kind not in allowed:
            inter.rejected.append((400, cb))
            raise HTTPError(
                400,
                "Invalid Form Body",
                50035,
                {
                    "type": {
                        "_errors": [{"code": "BASE_TYPE_CHOICES", "message": f"type {kind} not valid here"}]
                    }
                },
            )
        resp_inter: JSON = {"id": str(inter.id), "type": inter.type}
        result: JSON = {"interaction": resp_inter}
        if kind in (4, 5):
            msg = self._message_from_body(data, body.files, inter, "callback", loading=kind == 5)
            inter.original = msg
            resp_inter.update(
                response_message_id=str(msg.id),
                response_message_loading=kind == 5,
                response_message_ephemeral=msg.ephemeral,
            )
            if kind == 4:
                result["resource"] = {"type": 4, "message": msg.to_payload()}
        elif kind in (6, 7):
            src = inter.source_message
            assert src is not None
            # As on Discord, @original of a component (or its modal) is then the clicked message.
            inter.original = src
            if kind == 7:
                self._apply_edit(src, data, body.files, creating=False)
                result["resource"] = {"type": 7, "message": src.to_payload()}
            resp_inter.update(
                response_message_id=str(src.id),
                response_message_loading=False,
                response_message_ephemeral=src.ephemeral,
            )
        elif kind == 9:
            inter.modal = copy.deepcopy(data)
            number_components(inter.modal.setdefault("components", []))
        inter.callback = CallbackRecord(kind, data, self.clock(), latency, body.files)
        return 200, result

    async def _r_followup(self, params: dict[str, str], body: Body, request: web.Request) -> tuple[int, Any]:
        inter = self._interaction_by_token(params)
        if inter.callback is None:
            raise HTTPError(404, "Unknown Webhook", 10015)
        if inter.user_installed_outside and len(inter.followups) >= MAX_USER_APP_FOLLOWUPS:
            raise HTTPError(400, "This interaction has hit the maximum number of follow up messages", 40094)
        data = body.json if isinstance(body.json, dict) else {}
        original = inter.original
        if original is not None and original.flags & MESSAGE_FLAG_LOADING:
            # Discord turns the first followup after a deferred (type 5) answer into the
            # original "thinking" message; its ephemerality comes from the defer.
            ephemeral = original.flags & MESSAGE_FLAG_EPHEMERAL
            self._apply_edit(original, {**data, "flags": None}, body.files, creating=False)
            original.flags = (int(data.get("flags") or 0) & ~MESSAGE_FLAG_EPHEMERAL) | ephemeral
            original.edited_at = None
            original.edits -= 1
            msg = original
        else:
            msg = self._message_from_body(data, body.files, inter, "followup")
        inter.followups.append(msg)
        inter.changed.notify()
        if request.query.get("wait", "").lower() in ("1", "true"):
            return 200, msg.to_payload()
        return 204, None

    def _interaction_message(self, inter: SimulatedInteraction, message_id: str | None) -> FakeMessage:
        if message_id is None:
            msg = inter.original
        else:
            msg = self.messages.get(int(message_id)) if message_id.isdigit() else None
            if msg is not None and msg is not inter.original and msg not in inter.followups:
                msg = None
        if msg is None or msg.deleted:
            raise HTTPError(404, "Unknown Message", 10008)
        return msg

    async def _r_webhook_message(
        self, params: dict[str, str], body: Body, request: web.Request
    ) -> tuple[int, Any]:
        inter = self._interaction_by_token(params)
        msg = self._interaction_message(inter, params.get("message_id"))
        if request.method == "GET":
            return 200, msg.to_payload()
        if request.method == "DELETE":
            msg.deleted = True
            return 204, None
        data = body.json if isinstance(body.json, dict) else {}
        was_loading = bool(msg.flags & MESSAGE_FLAG_LOADING)
        self._apply_edit(msg, data, body.files, creating=False)
        if was_loading:
            msg.flags &= ~MESSAGE_FLAG_LOADING
            msg.edited_at = None
        inter.changed.notify()
        return 200, msg.to_payload()
