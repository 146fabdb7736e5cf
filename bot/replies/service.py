"""The use cases behind /reply, "Draft a reply…" and /templates mine, over saved drafts.

Discord-free: the cog turns interactions into plain values, calls these methods and renders what
they return. Every step is saved (``reply_drafts``) so a button or a form from before a restart
still works. User templates render only through the sandbox's worker pool (``renderer``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.control_ids import parse_row_id
from bot.discord_limits import MODAL_FIELDS
from bot.disputes.engine.errors import InvalidAnswer
from bot.disputes.engine.flow import Flow
from bot.disputes.engine.session import record_answer, start_session
from bot.disputes.wizard.service import WizardService
from bot.errors import DisputeDeskError, TemplateError, TemplateStopped
from bot.ratelimit import (
    authoring_cooldown,
    autocomplete_cooldown,
    case_from_message_cooldown,
    draft_a_reply_cooldown,
    render_cooldown,
)
from bot.replies import Library, ReplyTemplate, TemplateVariable, render_resolution_async, resolve
from bot.replies.fill import AsyncRenderer, Resolution
from bot.replies.lint_process import TemplateChecker
from bot.replies.personal import (
    BUYER_MESSAGE,
    MAX_PERSONAL_TEMPLATES,
    AuthorProblem,
    builtin_record,
    clean_draft,
    clean_slug,
    draft_from_stored,
    personal_record,
    personal_template,
    sample_values,
)
from bot.replies.personal import (
    Draft as PersonalDraft,
)
from bot.replies.platforms import load_platforms
from bot.replies.suggest import suggest, suggest_dispute_types
from bot.replies.wording import check_reply
from bot.storage.database import Database
from bot.storage.profiles import ProfileRepository
from bot.storage.reply_drafts import DraftKind, ReplyDraftRepository, StoredDraft
from bot.storage.reply_templates import AUTOCOMPLETE_LIMIT, ReplyTemplateRepository, StoredTemplate

DRAFT_TTL = timedelta(days=2)
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
    #: Everything is known and the text is still to be rendered (``QuickReplyService.finish``):
    #: the adapter acknowledges the interaction first, since a render may wait for a worker.
    pending: Resolution | None = field(default=None, compare=False, repr=False)
    #: What the wording check found in the finished text, shown beside it ("'email': …").
    warnings: tuple[str, ...] = ()

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


class QuickReplyService:
    def __init__(
        self,
        db: Database,
        *,
        library: Library,
        shared_variables: Mapping[str, TemplateVariable],
        renderer: AsyncRenderer,
        flow: Flow,
        wizard: WizardService,
        checker: TemplateChecker,
        lint_timeout_s: float = LINT_TIMEOUT_S,
    ) -> None:
        self.templates = ReplyTemplateRepository(db)
        self.drafts = ReplyDraftRepository(db)
        self.profiles = ProfileRepository(db)
        self.wizard = wizard
        self.checker = checker
        self.flow = flow
        self.library = library
        self.shared = shared_variables
        self.renderer = renderer
        self._rendering: set[int] = set()
        self.lint_timeout_s = lint_timeout_s
        # Per-user limits on the paths that cost work or storage (issue 11).
        self.authoring_limit = authoring_cooldown()
        self.draft_a_reply_limit = draft_a_reply_cooldown()
        self.case_limit = case_from_message_cooldown()
        self.autocomplete_limit = autocomplete_cooldown()
        self.render_limit = render_cooldown()

    # -- templates -------------------------------------------------------------------------------
    async def sync_builtins(self) -> None:
        """Copy the built-in library into the search table (one FTS query covers every template)."""
        await self.templates.replace_builtins(builtin_record(t) for t in self.library)

    async def autocomplete(
        self, user_id: int, guild_id: int | None, current: str, now: datetime, platform: str | None = None
    ) -> list[tuple[str, str]]:
        """(choice name ≤ 100, template id) pairs, best first: text match, then the user's own use.

        Built-in replies that don't fit the seller's platform (the ``platform`` option, else the
        profile's) are left out; personal and server templates are always offered. Over the per-user
        search limit the answer is empty (autocomplete cannot show an error).
        """
        if not self.autocomplete_limit.allows(user_id, now):
            return []
        where = await self.platform_of(user_id, platform)
        unfit = {t.name for t in self.library if not t.fits(where)}
        hits = await self.templates.search(
            current, user_id=user_id, guild_id=guild_id, now=now, limit=AUTOCOMPLETE_LIMIT + len(unfit)
        )
        fitting = [hit for hit in hits if not (hit.template.scope == "builtin" and hit.template.name in unfit)]
        return [(choice_name(hit.template), str(hit.template.id)) for hit in fitting[:AUTOCOMPLETE_LIMIT]]

    async def platform_of(self, user_id: int, given: str | None = None) -> str | None:
        """The platform key a seller works on now: what they picked, else their profile's."""
        platforms = load_platforms()
        for candidate in (given, (await self.profiles.get(user_id)).default_platform):
            key = platforms.find(candidate) if candidate else None
            if key is not None:
                return key
        return None

    async def own_choices(self, user_id: int, current: str) -> list[tuple[str, str]]:
        needle = current.strip().lower()
        owned = await self.templates.list_owned("user", user_id)
        return [
            (choice_name(t), str(t.id))
            for t in owned
            if needle in t.name or needle in t.title.lower() or needle in t.category
        ][:25]

    async def find(self, user_id: int, guild_id: int | None, given: str) -> StoredTemplate:
        """The template picked in autocomplete (its id) or typed by name, if the user may use it."""
        given = given.strip()
        row_id = parse_row_id(given)
        if row_id is not None:
            stored = await self.templates.get(row_id)
            if stored is not None and _visible(stored, user_id, guild_id):
                return stored
        else:
            name = clean_slug(given)
            for scope, owner in (("user", user_id), ("guild", guild_id), ("builtin", 0)):
                if owner is None:
                    continue
                found = await self.templates.find_by_name(scope, owner, name)  # type: ignore[arg-type]
                if found is not None:
                    return found
        raise TemplateNotFound(
            f"No template called `{given[:50]}` is available to you. Start typing in the `template` option "
            "and pick one from the list."
        )

    def template_of(self, stored: StoredTemplate) -> ReplyTemplate:
        if stored.scope == "builtin":
            try:
                return self.library.get(stored.name)
            except KeyError:
                pass
        return personal_template(stored)

    # -- filling a reply -------------------------------------------------------------------------
    async def start(
        self,
        user_id: int,
        guild_id: int | None,
        stored: StoredTemplate,
        *,
        tone: str | None,
        options: Mapping[str, str | None],
        now: datetime,
    ) -> FillStep:
        """Fill from the options and the profile; render when nothing is missing, else ask page 1."""
        if stored.quarantined:
            raise TemplateQuarantined(stored, user_id)
        template = self.template_of(stored)
        declared = {v.name for v in template.fields}
        given = {k: v.strip() for k, v in options.items() if k in declared and v and v.strip()}
        resolution = await self._resolve(template, user_id, tone, given, now)
        state = FillState(
            template_id=stored.id,
            guild_id=guild_id,
            tone=tone,
            values={k: v for k, v in given.items() if k not in resolution.invalid},
            asking=tuple(v.name for v in resolution.to_ask),
            typed={k: v for k, v in given.items() if k in resolution.invalid},
            error=_describe_problems(template, resolution.invalid, ()),
        )
        if resolution.ready:
            # Refuse before storing anything when this user cannot render now.
            self.render_limit.check(user_id, now)
            if user_id in self._rendering:
                raise StillRendering()
        draft = await self.drafts.create(user_id, "fill", state.to_dict(), now)
        if resolution.ready:
            return FillStep(draft.id, template, resolution.tone, pending=resolution)
        return _ask(draft.id, template, resolution.tone, state)

    async def finish(self, step: FillStep, user_id: int, now: datetime) -> FillStep:
        """Render a step that ``start`` or ``submit`` left pending; the finished step."""
        if step.pending is None:
            return step
        draft = await self._load(step.draft_id, user_id, "fill")
        state = FillState.from_dict(draft.state)
        return await self._finish(step.draft_id, user_id, step.template, step.pending, state, now)

    async def current(self, draft_id: int, user_id: int) -> FillStep:
        """The step a fill draft is at (to reopen its form)."""
        draft = await self._load(draft_id, user_id, "fill")
        state = FillState.from_dict(draft.state)
        template = self.template_of(await self._template_for(draft.user_id, state))
        tone = template.pick_tone(state.tone)
        if state.text is not None:
            return FillStep(draft.id, template, tone, text=state.text, warnings=state.warnings)
        return _ask(draft.id, template, tone, state)

    async def submit(
        self, draft_id: int, user_id: int, page: int, submitted: Mapping[str, str], now: datetime
    ) -> FillStep:
        """Take one page of the form; stay on it with what was typed when a value is refused."""
        draft = await self._load(draft_id, user_id, "fill")
        state = FillState.from_dict(draft.state)
        template = self.template_of(await self._template_for(draft.user_id, state))
        if state.text is not None or page != state.page:
            return await self.current(draft_id, user_id)  # a form submitted twice: show where we are
        fields = state.page_names(page)
        given = {k: v.strip() for k, v in submitted.items() if k in fields}
        values = {**state.values, **{k: v for k, v in given.items() if v}}
        resolution = await self._resolve(template, user_id, state.tone, values, now)
        invalid = {k: v for k, v in resolution.invalid.items() if k in fields}
        missing = tuple(v for v in resolution.missing if v.name in fields)
        if invalid or missing:
            state = replace(
                state,
                values={k: v for k, v in values.items() if k not in invalid},
                typed=given,
                error=_describe_problems(template, invalid, missing),
            )
            await self._save(draft, state.to_dict(), now)
            return _ask(draft.id, template, resolution.tone, state)
        state = replace(state, values=values, page=page + 1, typed={}, error=None)
        if resolution.ready:
            await self._save(draft, state.to_dict(), now)
            return FillStep(draft.id, template, resolution.tone, page=page + 1, pending=resolution)
        if state.page >= state.page_count:  # something outside these pages is still wanted
            state = replace(
                state,
                asking=tuple(v.name for v in resolution.to_ask),
                page=0,
                error=_describe_problems(template, resolution.invalid, ()),
                typed={},
            )
        await self._save(draft, state.to_dict(), now)
        return _ask(draft.id, template, resolution.tone, state)

    async def claim_post(self, draft_id: int, user_id: int, now: datetime) -> str:
        """The finished text, marked as posted (once: a second click is refused)."""
        draft = await self._load(draft_id, user_id, "fill")
        if draft.state.get("text") is None:
            raise DisputeDeskError("This reply isn't finished yet: fill in the form first.")
        if not await self.drafts.set_flag(draft_id, "posted", True, now):
            raise DisputeDeskError("This reply was already posted here.")
        return str(draft.state["text"])

    async def release_post(self, draft_id: int, now: datetime) -> None:
        """Posting failed: allow another try."""
        await self.drafts.set_flag(draft_id, "posted", False, now)

    # -- "Draft a reply…" ------------------------------------------------------------------------
    async def suggest_for_message(self, user_id: int, text: str, now: datetime) -> Suggestions:
        self.draft_a_reply_limit.hit(user_id, now)
        words = text.strip()
        if len(words) > BUYER_WORDS_MAX:
            words = words[: BUYER_WORDS_MAX - 1].rstrip() + "…"
        draft = await self.drafts.create(user_id, "pick", {"buyer_message": words}, now)
        ranked: list[tuple[float, int, str, str, bool]] = []
        builtin_ids = {t.name: t.id for t in await self.templates.list_owned("builtin", 0)}
        where = await self.platform_of(user_id)
        for hit in suggest(words, [t for t in self.library if t.fits(where)], SUGGESTED_TEMPLATES):
            template = self.library.get(hit.id)
            if template.name in builtin_ids:
                ranked.append((hit.score, builtin_ids[template.name], template.title, template.name, False))
        owned = await self.templates.list_owned("user", user_id)
        by_name = {t.name: t for t in owned}
        for hit in suggest(words, [personal_template(t) for t in owned], SUGGESTED_TEMPLATES):
            stored = by_name[hit.id]
            # A personal template that reads the buyer's words fits a message a little better.
            bonus = 1.0 if any(v.get("name") == BUYER_MESSAGE for v in stored.variables) else 0.0
            ranked.append((hit.score + bonus, stored.id, stored.title, stored.name, True))
        ranked.sort(key=lambda r: (-r[0], r[3]))
        labels = {o.value: o.label for o in self._dispute_question_options()}
        disputes = tuple(
            (s.id, labels.get(s.id, s.id)) for s in suggest_dispute_types(words, SUGGESTED_DISPUTES) if s.id in labels
        )
        return Suggestions(draft.id, tuple(r[1:] for r in ranked[:SUGGESTED_TEMPLATES]), disputes)

    async def pick_template(
        self, draft_id: int, user_id: int, guild_id: int | None, template_id: int, now: datetime
    ) -> FillStep:
        """Start /reply on a suggested template, the buyer's words given when it reads them."""
        draft = await self._load(draft_id, user_id, "pick")
        stored = await self.find(user_id, guild_id, str(template_id))
        options = {BUYER_MESSAGE: str(draft.state.get("buyer_message") or "")}
        return await self.start(user_id, guild_id, stored, tone=None, options=options, now=now)

    async def open_case(self, draft_id: int, user_id: int, dispute_type: str, now: datetime) -> OpenedCase:
        """A /dispute case with the type (and the buyer's words where the flow asks for them) answered."""
        draft = await self._load(draft_id, user_id, "pick")
        if dispute_type not in {o.value for o in self._dispute_question_options()}:
            raise DisputeDeskError("That isn't a case type; pick one from the list.")
        # One case per buyer message: of two clicks at once, exactly one sets the flag.
        if draft.state.get("case_opened") or not await self.drafts.set_flag(draft_id, "case_opened", True, now):
            raise DisputeDeskError(
                "You already opened a case from this message: bring it back with `/dispute resume`."
            )
        try:
            self.case_limit.hit(user_id, now)
        except DisputeDeskError:
            await self.drafts.set_flag(draft_id, "case_opened", False, now)  # may try again later
            raise
        words = str(draft.state.get("buyer_message") or "")
        prefill: dict[str, str] = {}
        session = start_session(self.flow, now=now)
        candidates = [("dispute_type", dispute_type), ("buyer_message", words)]
        if not self._accepts(session, "dispute_type", dispute_type, now):
            # Some types belong to one platform only (an unpaid invoice: direct clients).
            platforms = [
                o.value
                for o in self._question_options("platform")
                if self._accepts(self._answered(session, "platform", o.value, now), "dispute_type", dispute_type, now)
            ]
            if len(platforms) == 1:
                candidates.insert(0, ("platform", platforms[0]))
        for question_id, raw in candidates:
            if raw and self._accepts(session, question_id, raw, now):
                session = self._answered(session, question_id, raw, now)
                prefill[question_id] = raw
        state = await self.wizard.start(user_id, prefill, now)
        return OpenedCase(state.id, dispute_type, "dispute_type" in prefill, "buyer_message" in prefill)

    # -- personal templates ----------------------------------------------------------------------
    async def begin_create(self, user_id: int, now: datetime) -> int:
        if await self.templates.count_owned("user", user_id) >= MAX_PERSONAL_TEMPLATES:
            raise DisputeDeskError(
                f"You have {MAX_PERSONAL_TEMPLATES} personal templates, the most you can keep. "
                "Delete one with `/templates mine delete` first."
            )
        draft = await self.drafts.create(user_id, "author", {"template_id": None, "typed": {}}, now)
        return draft.id

    async def begin_edit(self, user_id: int, given: str, now: datetime) -> tuple[int, dict[str, str]]:
        stored = await self.own(user_id, given)
        typed = draft_from_stored(stored)
        draft = await self.drafts.create(user_id, "author", {"template_id": stored.id, "typed": typed}, now)
        return draft.id, typed

    async def typed_in(self, draft_id: int, user_id: int) -> tuple[dict[str, str], bool]:
        """What the author typed last (to reopen the form with it), and whether it edits a template."""
        draft = await self._load(draft_id, user_id, "author")
        return dict(draft.state.get("typed") or {}), draft.state.get("template_id") is not None

    async def check_authoring(
        self, draft_id: int, user_id: int, typed: Mapping[str, str], now: datetime
    ) -> AuthorCheck:
        """Keep what was typed; lint it, then render a preview with sample values in the sandbox."""
        draft = await self._load(draft_id, user_id, "author")
        kept = {k: str(typed.get(k, "")) for k in ("name", "title", "category", "body")}
        editing_id = draft.state.get("template_id")
        await self._save(draft, {**draft.state, "typed": kept, "ok": False}, now)
        self.authoring_limit.hit(user_id, now)  # what was typed is kept: "Edit again" shows it
        cleaned = clean_draft(kept)
        problems, variables = await self._check_off_loop(cleaned)
        clash = await self.templates.find_by_name("user", user_id, cleaned.name) if cleaned.name else None
        if clash is not None and clash.id != editing_id:
            problems.append(
                AuthorProblem("Name", f"you already have a template called `{cleaned.name}`; pick another name")
            )
        result = AuthorCheck(draft_id, editing_id is not None, tuple(problems), variables, name=cleaned.name)
        if problems:
            return result
        template = personal_template(
            StoredTemplate(0, "user", user_id, cleaned.name, cleaned.title, cleaned.category, "", cleaned.body,
                           tuple(personal_record(cleaned, variables).variables))
        )  # fmt: skip
        known = await self._resolve(template, user_id, None, {}, now)
        resolution = resolve(
            template,
            profile=(await self.profiles.get(user_id)).known_values(),
            options=sample_values(known.to_ask),
            today=now.date(),
        )
        try:
            preview = await self._render(user_id, resolution, now)
        except TemplateError as error:
            problem = AuthorProblem("Body", f"with sample values it fails: {error.message}", error.line)
            return AuthorCheck(draft_id, editing_id is not None, (problem,), variables, name=cleaned.name)
        await self._save(draft, {**draft.state, "typed": kept, "ok": True}, now)
        warnings = wording_warnings(preview, resolution)
        return AuthorCheck(draft_id, editing_id is not None, (), variables, preview, cleaned.name, warnings)

    async def _check_off_loop(
        self, cleaned: PersonalDraft
    ) -> tuple[list[AuthorProblem], tuple[TemplateVariable, ...]]:
        """check_draft in the check process with a time limit (see bot.replies.lint_process)."""
        try:
            return await self.checker.check(cleaned, self.shared, self.lint_timeout_s)
        except TimeoutError:
            problem = AuthorProblem(
                "Body", f"checking it took longer than {self.lint_timeout_s:g} s; make it shorter or simpler"
            )
            return [problem], ()

    async def save_authoring(self, draft_id: int, user_id: int, now: datetime) -> StoredTemplate:
        draft = await self._load(draft_id, user_id, "author")
        if not draft.state.get("ok"):
            raise DisputeDeskError("Check the template first: press **Edit again** and submit the form.")
        cleaned = clean_draft(draft.state.get("typed") or {})
        problems, variables = await self._check_off_loop(cleaned)
        if problems:
            raise DisputeDeskError("This template has problems: press **Edit again** to see them.")
        record = personal_record(cleaned, variables)
        editing_id = draft.state.get("template_id")
        clash = await self.templates.find_by_name("user", user_id, cleaned.name)
        if clash is not None and clash.id != editing_id:
            raise DisputeDeskError(f"You already have a template called `{cleaned.name}`; press **Edit again**.")
        if editing_id is None:
            # The cap is checked in the insert itself: a count first would let racing saves past it.
            saved = await self.templates.create("user", user_id, record, cap=MAX_PERSONAL_TEMPLATES)
        else:
            stored = await self.templates.get(int(editing_id))
            if stored is None or stored.scope != "user" or stored.owner_id != user_id:
                raise DisputeDeskError("That template was deleted meanwhile; create it again.")
            updated = await self.templates.update(stored.id, record)
            assert updated is not None
            saved = updated
        await self.drafts.delete(draft.id)
        return saved

    async def own(self, user_id: int, given: str) -> StoredTemplate:
        given = given.strip()
        row_id = parse_row_id(given)
        stored = await self.templates.get(row_id) if row_id is not None else None
        if stored is None:
            stored = await self.templates.find_by_name("user", user_id, clean_slug(given))
        if stored is None or stored.scope != "user" or stored.owner_id != user_id:
            raise TemplateNotFound(f"You have no personal template `{given[:50]}`. `/templates mine list` shows yours.")
        return stored

    async def text_warnings(self, user_id: int, text: str) -> tuple[str, ...]:
        """The wording check on a personal template as written, for the seller's platform."""
        where = await self.platform_of(user_id) or "other"
        return tuple(str(w) for w in check_reply(text, platform=where, audience="buyer"))

    async def list_own(self, user_id: int) -> list[StoredTemplate]:
        return await self.templates.list_owned("user", user_id)

    async def delete_own(self, user_id: int, template_id: int) -> StoredTemplate:
        stored = await self.own(user_id, str(template_id))
        await self.templates.delete(stored.id)
        return stored

    async def purge(self, now: datetime, older_than: timedelta = DRAFT_TTL) -> int:
        return await self.drafts.purge(older_than, now)

    # -- internals -------------------------------------------------------------------------------
    async def _load(self, draft_id: int, user_id: int, kind: DraftKind) -> StoredDraft:
        draft = await self.drafts.get(draft_id)
        if draft is None or draft.kind != kind:
            raise DraftGone()
        if draft.user_id != user_id:
            raise NotYourDraft()
        return draft

    async def _save(self, draft: StoredDraft, state: dict[str, Any], now: datetime) -> None:
        if await self.drafts.save(draft.id, state, now) is None:
            raise DraftGone()

    async def _template_for(self, user_id: int, state: FillState) -> StoredTemplate:
        stored = await self.templates.get(state.template_id)
        if stored is None or not _visible(stored, user_id, state.guild_id):
            raise TemplateNotFound("That template was deleted meanwhile. Pick another with `/reply`.")
        if stored.quarantined:
            raise TemplateQuarantined(stored, user_id)
        return stored

    async def _resolve(
        self, template: ReplyTemplate, user_id: int, tone: str | None, values: Mapping[str, str], now: datetime
    ) -> Resolution:
        profile = (await self.profiles.get(user_id)).known_values()
        return resolve(template, tone=tone, profile=profile, options=values, today=now.date())

    @asynccontextmanager
    async def _render_slot(self, user_id: int) -> AsyncIterator[None]:
        """One render at a time per user: a hostile template can hold one worker, never the pool."""
        if user_id in self._rendering:
            raise StillRendering()
        self._rendering.add(user_id)
        try:
            yield
        finally:
            self._rendering.discard(user_id)

    async def _render(self, user_id: int, resolution: Resolution, now: datetime) -> str:
        self.render_limit.hit(user_id, now)
        async with self._render_slot(user_id):
            return await render_resolution_async(resolution, self.renderer)

    async def _finish(
        self,
        draft_id: int,
        user_id: int,
        template: ReplyTemplate,
        resolution: Resolution,
        state: FillState,
        now: datetime,
    ) -> FillStep:
        try:
            text = await self._render(user_id, resolution, now)
        except TemplateStopped as error:
            # It held a sandbox worker for the whole time budget: pause it until it is edited.
            stored = await self.templates.get(state.template_id)
            if stored is not None and stored.scope != "builtin":
                await self.templates.quarantine(stored.id, error.message, now)
                raise TemplateQuarantined(stored, user_id) from None
            raise TemplateError(f"This template could not be filled in: {error}") from None
        except TemplateError as error:
            raise TemplateError(f"This template could not be filled in: {error}") from None
        warnings = wording_warnings(text, resolution)
        state = replace(state, text=text, warnings=warnings)
        if await self.drafts.save(draft_id, state.to_dict(), now) is None:
            raise DraftGone()
        await self.templates.record_use(user_id, state.template_id, now)
        return FillStep(draft_id, template, resolution.tone, text=text, warnings=warnings)

    def _question_options(self, question_id: str) -> Sequence[Any]:
        question = self.flow.question(question_id)
        return question.options if question is not None else ()

    def _dispute_question_options(self) -> Sequence[Any]:
        return self._question_options("dispute_type")

    def _answered(self, session: Any, question_id: str, raw: str, now: datetime) -> Any:
        return record_answer(self.flow, session, question_id, raw, now=now)

    def _accepts(self, session: Any, question_id: str, raw: str, now: datetime) -> bool:
        try:
            record_answer(self.flow, session, question_id, raw, now=now)
        except InvalidAnswer:
            return False
        return True


def wording_warnings(text: str, resolution: Resolution) -> tuple[str, ...]:
    """The wording check on a filled text, for the platform it is written for (a personal template
    with no platform known is checked as for a marketplace: the strictest reading)."""
    found = check_reply(text, platform=resolution.platform or "other", audience=resolution.template.audience)
    return tuple(str(warning) for warning in found)


def _visible(stored: StoredTemplate, user_id: int, guild_id: int | None) -> bool:
    if stored.scope == "builtin":
        return True
    if stored.scope == "user":
        return stored.owner_id == user_id
    return guild_id is not None and stored.owner_id == guild_id


def choice_name(stored: StoredTemplate) -> str:
    """An autocomplete entry: title and trigger name, personal ones marked; at most 100 characters."""
    mark = "★ " if stored.scope == "user" else ""
    text = f"{mark}{stored.title} · {stored.name}"
    return text if len(text) <= 100 else text[:99] + "…"


def _ask(draft_id: int, template: ReplyTemplate, tone: str, state: FillState) -> FillStep:
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


def _describe_problems(
    template: ReplyTemplate, invalid: Mapping[str, str], missing: Sequence[TemplateVariable]
) -> str | None:
    lines = [f"**{template.variable(name).label}**: {reason}" for name, reason in invalid.items()]
    lines += [f"**{v.label}**: this is needed" for v in missing]
    return "\n".join(lines) or None
