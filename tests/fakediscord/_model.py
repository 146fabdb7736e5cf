"""Plain data kept by the fake Discord: users, guilds, channels, messages, recorded requests."""

# Waiters take ``timeout=`` by design, like the public API built on them.

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
# How long a test waits for something that should happen (a callback, a message, READY). The waits
# end on the event itself, so a healthy run never waits this long; only a lost event does, and a
# busy machine gets room to finish. Speed is measured by `make bench`, not by these waits.
PATIENCE_S = 30.0

JSON = dict[str, Any]

# Permission bits used when building payloads.
PERM_ALL = (1 << 50) - 1
PERM_DEFAULT_MEMBER = (
    (1 << 6)  # ADD_REACTIONS
    | (1 << 10)  # VIEW_CHANNEL
    | (1 << 11)  # SEND_MESSAGES
    | (1 << 14)  # EMBED_LINKS
    | (1 << 15)  # ATTACH_FILES
    | (1 << 16)  # READ_MESSAGE_HISTORY
    | (1 << 31)  # USE_APPLICATION_COMMANDS
)
PERM_BOT_DEFAULT = PERM_DEFAULT_MEMBER
# What Discord reports as app_permissions where the bot is not a member (user-installed app).
PERM_USER_APP = (1 << 14) | (1 << 15) | (1 << 11) | (1 << 31)

MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7
MESSAGE_FLAG_COMPONENTS_V2 = 1 << 15


class SnowflakeFactory:
    """Snowflakes whose timestamp part comes from the fake's clock, unique per process."""

    _increment = itertools.count()

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock

    def __call__(self) -> int:
        ms = int(self._clock() * 1000) - DISCORD_EPOCH_MS
        return (max(ms, 0) << 22) | (next(self._increment) & 0x3FFFFF)

    def on_shard(self, shard: int, shard_count: int) -> int:
        """A fresh snowflake whose shard, ``(id >> 22) % shard_count``, is ``shard`` (time moved back a little)."""
        made = self()
        ms = made >> 22
        ms -= (ms - shard) % shard_count
        return (ms << 22) | (made & 0x3FFFFF)


def member_payload(user: FakeUser, role_ids: list[str], joined_at: float) -> JSON:
    """A guild member as Discord sends it (in GUILD_CREATE and in interactions)."""
    return {
        "user": user.to_payload(),
        "roles": role_ids,
        "joined_at": iso(joined_at),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": None,
        "avatar": None,
        "banner": None,
        "pending": False,
        "premium_since": None,
        "communication_disabled_until": None,
    }


def iso(ts: float) -> str:
    """ISO 8601 timestamp like Discord's (``2024-01-01T00:00:00.000000+00:00``)."""
    whole = time.gmtime(ts)
    micro = int((ts % 1) * 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", whole) + f".{micro:06d}+00:00"


@dataclass
class FakeUser:
    """A Discord user; ``bot=True`` for the fake's own bot user."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    locale: str = "en-US"
    #: False models a user who does not accept direct messages from the bot (privacy settings, no
    #: shared server and no user install): Discord answers a message to their DM with 403, code 50007.
    accepts_dms: bool = True

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class FakeChannel:
    """A guild text channel (type 0), a DM (type 1), a group DM (type 3), a thread (11) or a forum (15)."""

    id: int
    type: int = 0
    name: str | None = "general"
    guild_id: int | None = None
    recipients: list[FakeUser] = field(default_factory=list)
    #: The channel a thread (type 11) belongs to.
    parent_id: int | None = None
    owner_id: int | None = None

    def to_payload(self, *, permissions: int | None = None) -> JSON:
        data: JSON = {"id": str(self.id), "type": self.type, "flags": 0, "last_message_id": None}
        if self.type in (1, 3):
            data["recipients"] = [u.to_payload() for u in self.recipients]
            if self.type == 3:
                data["name"] = self.name
                data["owner_id"] = str(self.recipients[0].id) if self.recipients else None
        else:
            data.update(
                name=self.name,
                position=0,
                permission_overwrites=[],
                nsfw=False,
                topic=None,
                rate_limit_per_user=0,
                parent_id=None,
            )
            if self.guild_id is not None:
                data["guild_id"] = str(self.guild_id)
            if self.type == 15:
                data.update(available_tags=[], default_reaction_emoji=None, default_sort_order=None,
                            default_forum_layout=0, default_thread_rate_limit_per_user=0)  # fmt: skip
            if self.type == 11:
                data.update(
                    parent_id=str(self.parent_id),
                    owner_id=str(self.owner_id),
                    message_count=1,
                    member_count=1,
                    thread_metadata={"archived": False, "auto_archive_duration": 1440, "locked": False,
                                     "archive_timestamp": "2026-01-01T00:00:00+00:00"},
                )  # fmt: skip
                for key in ("position", "permission_overwrites", "nsfw", "topic"):
                    data.pop(key, None)
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int = 0
    position: int = 0

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }


@dataclass
class FakeGuild:
    """A guild. ``bot_member=False`` models a server where only a user installed the app."""

    id: int
    name: str
    owner_id: int
    bot_member: bool
    channels: list[FakeChannel]
    roles: list[FakeRole]
    locale: str = "en-US"
    joined_at: float = 0.0

    @property
    def channel(self) -> FakeChannel:
        """The default text channel."""
        return self.channels[0]

    def channel_named(self, name: str) -> FakeChannel:
        for ch in self.channels:
            if ch.name == name:
                return ch
        raise KeyError(name)

    def partial_payload(self) -> JSON:
        """The partial ``guild`` object Discord puts on interactions."""
        return {"id": str(self.id), "locale": self.locale, "features": []}

    def to_create_payload(self, bot_user: FakeUser, bot_permissions: int) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.locale,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "features": [],
            "roles": [r.to_payload() for r in self.roles],
            "emojis": [],
            "stickers": [],
            "channels": [c.to_payload() for c in self.channels],
            "threads": [],
            "members": [
                member_payload(bot_user, [], self.joined_at)
            ],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "member_count": 2,
            "large": False,
            "unavailable": False,
            "joined_at": iso(self.joined_at),
            "lazy": True,
            "application_id": None,
            "premium_progress_bar_enabled": False,
            "incidents_data": None,
        }


@dataclass
class RecordedFile:
    """A file uploaded in a multipart request (``files[n]``)."""

    field: str
    filename: str
    content_type: str | None
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass
class RecordedRequest:
    """One HTTP request the bot made; ``json`` is the JSON body or the multipart ``payload_json``."""

    method: str
    path: str
    route: str | None
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    time: float
    files: list[RecordedFile] = field(default_factory=list)
    status: int = 0
    fault: bool = False

    @property
    def unknown(self) -> bool:
        return self.route is None


@dataclass
class FakeMessage:
    """A message the bot created (callback, followup, channel post), kept up to date on edits."""

    id: int
    channel_id: int
    guild_id: int | None
    author: FakeUser
    created_at: float
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    flags: int = 0
    attachments: list[JSON] = field(default_factory=list)
    files: list[RecordedFile] = field(default_factory=list)
    interaction_id: int | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: JSON | None = None
    edited_at: float | None = None
    deleted: bool = False
    edits: int = 0
    source: str = "channel"
    #: What the request that created it said may be pinged (None when it said nothing).
    allowed_mentions: JSON | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MESSAGE_FLAG_EPHEMERAL)

    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in walk_components(self.components) if "custom_id" in c]

    def component(self, custom_id: str) -> JSON:
        for comp in walk_components(self.components):
            if comp.get("custom_id") == custom_id:
                return comp
        raise KeyError(
            f"message {self.id} has no component with custom_id {custom_id!r}: {self.custom_ids()}"
        )

    def to_payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "type": 20 if self.interaction_metadata is not None else 0,
            "channel_id": str(self.channel_id),
            "author": self.author.to_payload(),
            "content": self.content,
            "timestamp": iso(self.created_at),
            "edited_timestamp": iso(self.edited_at) if self.edited_at is not None else None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self.attachments,
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "flags": self.flags,
        }
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            data["application_id"] = str(self.application_id)
        if self.interaction_metadata is not None:
            data["interaction_metadata"] = self.interaction_metadata
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        return data


def walk_components(components: list[JSON]) -> Iterator[JSON]:
    """Every component, depth first, including those inside rows, sections, containers and labels."""
    for comp in components:
        yield comp
        children = comp.get("components")
        if isinstance(children, list):
            yield from walk_components(children)
        for key in ("component", "accessory"):
            child = comp.get(key)
            if isinstance(child, dict):
                yield from walk_components([child])


def number_components(components: list[JSON]) -> list[JSON]:
    """Give components without an ``id`` sequential ids, as Discord does when it stores them."""
    used = {c["id"] for c in walk_components(components) if isinstance(c.get("id"), int)}
    counter = itertools.count(1)
    for comp in walk_components(components):
        if not isinstance(comp.get("id"), int):
            n = next(counter)
            while n in used:
                n = next(counter)
            comp["id"] = n
    return components


@dataclass
class CallbackRecord:
    """What the bot answered to an interaction: callback ``type`` and ``data``."""

    type: int
    data: JSON
    time: float
    latency: float
    files: list[RecordedFile] = field(default_factory=list)


class FakeDiscordError(Exception):
    """A test used the fake in a way Discord would not allow (unknown command, bad option...)."""


class Waitable:
    """A tiny condition helper: ``await wait_for(predicate, timeout)`` re-checks on every ``notify()``."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout:.2f}s waiting for {what}")
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue
