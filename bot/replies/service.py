"""What the quick-reply services share: their errors and values, the saved drafts, and rendering.

Discord-free: the cog turns interactions into plain values, calls the services (catalog.py: finding
templates; filling.py: /reply; suggestions.py: "Draft a reply…"; authoring.py: /templates mine) and
renders what they return. Every step is saved (``reply_drafts``) so a button or a form from before a
restart still works. User templates render only through the sandbox's worker pool (``renderer``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.discord_limits import MODAL_FIELDS
from bot.errors import DisputeDeskError
from bot.ratelimit import (
    render_cooldown,
)
from bot.replies import ReplyTemplate, TemplateVariable, render_resolution_async, resolve
from bot.replies.fill import AsyncRenderer, Resolution
from bot.replies.personal import (
    AuthorProblem,
)
from bot.replies.wording import check_reply
from bot.storage.profiles import ProfileRepository
from bot.storage.reply_drafts import DraftKind, ReplyDraftRepository, StoredDraft
from bot.storage.reply_templates import StoredTemplate
from bot.storage.server_settings import ServerSettingsRepository

DRAFT_TTL = timedelta(days=2)
#: Longer than any render may wait for a worker and run (bot.sandbox.pool): a claimed render slot
#: that nobody used is free again after this.
CLAIM_LAPSES_S = 60.0
LINT_TIMEOUT_S = 2.0
BUYER_WORDS_MAX = 1_000  # a text value's limit
SUGGESTED_TEMPLATES = 5
SUGGESTED_DISPUTES = 3


class DraftGone(DisputeDeskError):
    def __init__(self) -> None:
        super().__init__("This reply is no longer here (it expired). Run `/reply` again; it takes a second.")


class NotYourDraft(DisputeDeskError):
    def __init__(self) -> None:
        super().__init__("This isn't yours: run `/reply` to draft your own.")


class TemplateNotFound(DisputeDeskError):
    pass


class TemplateQuarantined(DisputeDeskError):
    """A stored template the sandbox had to stop; paused until its author edits it."""

    def __init__(self, stored: StoredTemplate, user_id: int) -> None:
        self.template_id = stored.id
        if stored.scope == "user" and stored.owner_id == user_id:
            message = (
                f"Your template `{stored.name}` took too long or used too much memory and was stopped; it is "
                f"paused until you change it with `/templates mine edit template:{stored.name}`."
            )
        else:
            message = (
                f"The template `{stored.name}` took too long or used too much memory and was stopped; "
                "it is paused until its author edits it. Pick another one."
            )
        super().__init__(message)


class StillRendering(DisputeDeskError):
    def __init__(self) -> None:
        super().__init__("Your previous reply is still being rendered; try again in a moment.")


@dataclass(frozen=True)
class FillStep:
    """Where a /reply stands: a form page to fill in, or the finished text."""

    draft_id: int
    template: ReplyTemplate
    tone: str
    page: int = 0
    pages: int = 0
    #: Variables of the current page (empty once the text is ready).
    fields: tuple[TemplateVariable, ...] = ()
    #: What to put back in the form: what was typed when it was refused.
    typed: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    text: str | None = None
    #: Everything is known and the text is still to be rendered (``FillService.finish``):
    #: the adapter acknowledges the interaction first, since a render may wait for a worker.
    pending: Resolution | None = field(default=None, compare=False, repr=False)
    #: What the wording check found in the finished text, shown beside it ("'email': …").
    warnings: tuple[str, ...] = ()
    #: The user's render slot is held for this pending render (``ReplyRenderer.claim``).
    claimed: bool = field(default=False, compare=False)

    @property
    def ready(self) -> bool:
        return self.text is not None


@dataclass(frozen=True)
class FillState:
    """A /reply being filled in, as it is saved (the state of a ``fill`` draft in ``reply_drafts``)."""

    template_id: int
    guild_id: int | None = None
    tone: str | None = None
    #: Accepted values by variable name.
    values: Mapping[str, str] = field(default_factory=dict)
    #: The variables the form asks, in order; a page holds MODAL_FIELDS of them.
    asking: tuple[str, ...] = ()
    page: int = 0
    #: What was typed on the page when it was refused, to put back in the form.
    typed: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    text: str | None = None
    warnings: tuple[str, ...] = ()
    posted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "template_id": self.template_id,
            "guild_id": self.guild_id,
            "tone": self.tone,
            "values": dict(self.values),
            "asking": list(self.asking),
            "page": self.page,
            "typed": dict(self.typed),
            "error": self.error,
            "text": self.text,
            "warnings": list(self.warnings),
            "posted": self.posted,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FillState:
        return cls(
            template_id=int(data["template_id"]),
            guild_id=data.get("guild_id"),
            tone=data.get("tone"),
            values={str(k): str(v) for k, v in (data.get("values") or {}).items()},
            asking=tuple(str(name) for name in data.get("asking") or ()),
            page=int(data.get("page") or 0),
            typed={str(k): str(v) for k, v in (data.get("typed") or {}).items()},
            error=data.get("error"),
            text=data.get("text"),
            warnings=tuple(str(w) for w in data.get("warnings") or ()),
            posted=bool(data.get("posted")),
        )

    def page_names(self, page: int) -> tuple[str, ...]:
        return self.asking[page * MODAL_FIELDS : (page + 1) * MODAL_FIELDS]

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.asking) // MODAL_FIELDS))


@dataclass(frozen=True)
class Suggestions:
    draft_id: int
    #: (template id, title, name, personal?) best first.
    templates: tuple[tuple[int, str, str, bool], ...]
    #: (dispute type id, label) best first.
    disputes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class OpenedCase:
    session_id: int
    dispute_type: str
    type_recorded: bool
    buyer_message_recorded: bool


@dataclass(frozen=True)
class AuthorCheck:
    """The result of checking a create/edit form: problems, or a preview to save."""

    draft_id: int
    editing: bool
    problems: tuple[AuthorProblem, ...] = ()
    variables: tuple[TemplateVariable, ...] = ()
    preview: str | None = None
    name: str = ""
    #: What the wording check found in the preview.
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems and self.preview is not None




class ReplyDrafts:
    """The saved steps of /reply, "Draft a reply…" and authoring: read back only by their owner."""

    def __init__(self, repo: ReplyDraftRepository) -> None:
        self.repo = repo

    async def load(self, draft_id: int, user_id: int, kind: DraftKind) -> StoredDraft:
        draft = await self.repo.get(draft_id)
        if draft is None or draft.kind != kind:
            raise DraftGone()
        if draft.user_id != user_id:
            raise NotYourDraft()
        return draft

    async def save_state(self, draft: StoredDraft, state: dict[str, Any], now: datetime) -> None:
        if await self.repo.save(draft.id, state, now) is None:
            raise DraftGone()

    async def purge(self, now: datetime, older_than: timedelta = DRAFT_TTL) -> int:
        return await self.repo.purge(older_than, now)


class ReplyRenderer:
    """Turns a template and values into a seller's text: profile values, the render limit, one at a time."""

    def __init__(
        self, profiles: ProfileRepository, server_settings: ServerSettingsRepository, renderer: AsyncRenderer
    ) -> None:
        self.profiles = profiles
        self.server_settings = server_settings
        self.renderer = renderer
        self.limit = render_cooldown()
        #: user id -> when their render slot was taken (monotonic seconds)
        self._rendering: dict[int, float] = {}

    def claim(self, user_id: int, now: datetime) -> None:
        """Hold this user's render slot for a render to come, or refuse (over the budget, or one is
        already rendering) before anything is stored: a burst of /reply then costs one answer each.
        ``render(..., claimed=True)`` uses the slot and frees it; ``release`` frees it unused."""
        self.limit.check(user_id, now)
        self._take(user_id)

    def release(self, user_id: int) -> None:
        self._rendering.pop(user_id, None)

    def _take(self, user_id: int) -> None:
        taken = self._rendering.get(user_id)
        # A slot claimed for a render that never ran (its interaction failed first) lapses.
        if taken is not None and time.monotonic() - taken < CLAIM_LAPSES_S:
            raise StillRendering()
        self._rendering[user_id] = time.monotonic()

    async def resolve(
        self,
        template: ReplyTemplate,
        user_id: int,
        tone: str | None,
        values: Mapping[str, str],
        now: datetime,
        guild_id: int | None = None,
    ) -> Resolution:
        profile = (await self.profiles.get(user_id)).known_values()
        if guild_id is not None:  # the server's default platform and currency fill what the profile lacks
            server = await self.server_settings.get(guild_id)
            defaults = {"default_platform": server.default_platform, "currency": server.currency}
            profile = {**{k: v for k, v in defaults.items() if v}, **profile}
        return resolve(template, tone=tone, profile=profile, options=values, today=now.date())

    async def render(self, user_id: int, resolution: Resolution, now: datetime, *, claimed: bool = False) -> str:
        """One render at a time per user: a hostile template can hold one worker, never the pool."""
        try:
            self.limit.hit(user_id, now)
            if not claimed:
                self._take(user_id)
        except BaseException:
            if claimed:
                self.release(user_id)
            raise
        try:
            return await render_resolution_async(resolution, self.renderer)
        finally:
            self.release(user_id)


def wording_warnings(text: str, resolution: Resolution) -> tuple[str, ...]:
    """The wording check on a filled text, for the platform it is written for (a personal template
    with no platform known is checked as for a marketplace: the strictest reading)."""
    found = check_reply(text, platform=resolution.platform or "other", audience=resolution.template.audience)
    return tuple(str(warning) for warning in found)


def visible_to(stored: StoredTemplate, user_id: int, guild_id: int | None) -> bool:
    if stored.scope == "builtin":
        return True
    if stored.scope == "user":
        return stored.owner_id == user_id
    return guild_id is not None and stored.owner_id == guild_id


def choice_name(stored: StoredTemplate) -> str:
    """An autocomplete entry: title and trigger name, personal and server ones marked; ≤ 100 characters."""
    mark = {"user": "★ ", "guild": "server · "}.get(stored.scope, "")
    text = f"{mark}{stored.title} · {stored.name}"
    return text if len(text) <= 100 else text[:99] + "…"


def fill_step(draft_id: int, template: ReplyTemplate, tone: str, state: FillState) -> FillStep:
    names = state.page_names(state.page)
    fields = tuple(v for v in template.fields if v.name in names)
    return FillStep(
        draft_id,
        template,
        tone,
        page=state.page,
        pages=state.page_count,
        fields=fields,
        typed=dict(state.typed),
        error=state.error,
    )


def describe_problems(
    template: ReplyTemplate, invalid: Mapping[str, str], missing: Sequence[TemplateVariable]
) -> str | None:
    lines = [f"**{template.variable(name).label}**: {reason}" for name, reason in invalid.items()]
    lines += [f"**{v.label}**: this is needed" for v in missing]
    return "\n".join(lines) or None
