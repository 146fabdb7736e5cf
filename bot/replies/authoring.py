"""/templates mine: writing, checking, previewing and keeping personal templates."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from bot.control_ids import parse_row_id
from bot.errors import DisputeDeskError, TemplateError
from bot.ratelimit import RateLimited, authoring_cooldown
from bot.replies import ReplyTemplate, Resolution, TemplateVariable, resolve
from bot.replies.catalog import TemplateCatalog
from bot.replies.fill import AsyncRenderer, render_resolution_async
from bot.replies.lint_process import TemplateChecker
from bot.replies.personal import (
    MAX_PERSONAL_TEMPLATES,
    AuthorProblem,
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
from bot.replies.service import (
    LINT_TIMEOUT_S,
    AuthorCheck,
    ReplyDrafts,
    ReplyRenderer,
    TemplateNotFound,
    wording_warnings,
)
from bot.replies.wording import check_reply
from bot.sandbox import render_in_process
from bot.storage.profiles import ProfileRepository
from bot.storage.reply_drafts import StoredDraft
from bot.storage.reply_templates import Scope, StoredTemplate


def drafted_template(
    scope: Scope, owner_id: int, cleaned: PersonalDraft, variables: Sequence[TemplateVariable]
) -> ReplyTemplate:
    """What an author typed (checked), as the fillable template it will be once saved."""
    record = personal_record(cleaned, variables)
    return personal_template(
        StoredTemplate(0, scope, owner_id, cleaned.name, cleaned.title, cleaned.category, "", cleaned.body,
                       tuple(record.variables))
    )  # fmt: skip


def sample_resolution(template: ReplyTemplate, profile: Mapping[str, str], today: date) -> Resolution:
    """The template filled for a preview: the profile's values, sample values for everything else."""
    known = resolve(template, profile=profile, options={}, today=today)
    return resolve(template, profile=profile, options=sample_values(known.to_ask), today=today)


def render_problem(error: TemplateError) -> AuthorProblem:
    """A render failure in the sandbox, as the author is shown it."""
    return AuthorProblem("Body", f"with sample values it fails: {error.message}", error.line)


async def render_here(source: str, values: Mapping[str, object]) -> str:
    """The sandbox's renderer in this process (same dialect and limits), off the event loop."""
    return await asyncio.to_thread(render_in_process, source, values)


async def render_sample(
    renderer: AsyncRenderer, scope: Scope, owner_id: int, cleaned: PersonalDraft,
    variables: Sequence[TemplateVariable], today: date,
) -> str:  # fmt: skip
    """The preview of a checked server (or imported) template: sample values, rendered in the sandbox.

    TemplateError when it fails there (a limit of the sandbox, or an error with sample values).
    """
    resolution = sample_resolution(drafted_template(scope, owner_id, cleaned, variables), {}, today)
    return await render_resolution_async(resolution, renderer)


class AuthoringService:
    def __init__(
        self,
        catalog: TemplateCatalog,
        drafts: ReplyDrafts,
        renders: ReplyRenderer,
        profiles: ProfileRepository,
        checker: TemplateChecker,
        shared_variables: Mapping[str, TemplateVariable],
        lint_timeout_s: float = LINT_TIMEOUT_S,
    ) -> None:
        self.catalog = catalog
        self.templates = catalog.templates
        self.drafts = drafts
        self.renders = renders
        self.profiles = profiles
        self.checker = checker
        self.shared = shared_variables
        self.lint_timeout_s = lint_timeout_s
        self.authoring_limit = authoring_cooldown()
        self._running: dict[tuple[int, int, tuple[tuple[str, str], ...]], asyncio.Future[AuthorCheck]] = {}

    async def begin_create(self, user_id: int, now: datetime) -> int:
        if await self.templates.count_owned("user", user_id) >= MAX_PERSONAL_TEMPLATES:
            raise DisputeDeskError(
                f"You have {MAX_PERSONAL_TEMPLATES} personal templates, the most you can keep. "
                "Delete one with `/templates mine delete` first."
            )
        draft = await self.drafts.repo.create(user_id, "author", {"template_id": None, "typed": {}}, now)
        return draft.id

    async def begin_edit(self, user_id: int, given: str, now: datetime) -> tuple[int, dict[str, str]]:
        stored = await self.own(user_id, given)
        typed = draft_from_stored(stored)
        draft = await self.drafts.repo.create(user_id, "author", {"template_id": stored.id, "typed": typed}, now)
        return draft.id, typed

    async def typed_in(self, draft_id: int, user_id: int) -> tuple[dict[str, str], bool]:
        """What the author typed last (to reopen the form with it), and whether it edits a template."""
        draft = await self.drafts.load(draft_id, user_id, "author")
        return dict(draft.state.get("typed") or {}), draft.state.get("template_id") is not None

    async def check_authoring(
        self, draft_id: int, user_id: int, typed: Mapping[str, str], now: datetime
    ) -> AuthorCheck:
        """Keep what was typed; lint it, then render a preview with sample values in the sandbox."""
        draft = await self.drafts.load(draft_id, user_id, "author")
        kept = {k: str(typed.get(k, "")) for k in ("name", "title", "category", "body")}
        editing_id = draft.state.get("template_id")
        wait = self.authoring_limit.retry_after(user_id, now)
        if wait > 0:
            # What was typed is kept ("Edit again" shows it); a form sent again unchanged writes nothing.
            if draft.state.get("typed") != kept:
                await self.drafts.save_state(draft, {**draft.state, "typed": kept, "ok": False}, now)
            raise RateLimited(self.authoring_limit, wait)
        # The same form sent again while its check runs (a double submit, a resubmit loop) shares
        # that check: one lint, one preview and one save, instead of one each in the same instant.
        key = (draft_id, user_id, tuple(kept.items()))
        running = self._running.get(key)
        if running is None:
            running = self._running[key] = asyncio.ensure_future(self._check_typed(draft, kept, editing_id, now))
            running.add_done_callback(lambda _: self._running.pop(key, None))
        return await asyncio.shield(running)

    async def _check_typed(
        self, draft: StoredDraft, kept: dict[str, str], editing_id: int | None, now: datetime
    ) -> AuthorCheck:
        draft_id, user_id = draft.id, draft.user_id
        await self.drafts.save_state(draft, {**draft.state, "typed": kept, "ok": False}, now)
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
        template = drafted_template("user", user_id, cleaned, variables)
        resolution = sample_resolution(template, (await self.profiles.get(user_id)).known_values(), now.date())
        try:
            preview = await self.renders.render(user_id, resolution, now)
        except TemplateError as error:
            problem = render_problem(error)
            return AuthorCheck(draft_id, editing_id is not None, (problem,), variables, name=cleaned.name)
        await self.drafts.save_state(draft, {**draft.state, "typed": kept, "ok": True}, now)
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
        draft = await self.drafts.load(draft_id, user_id, "author")
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
        await self.drafts.repo.delete(draft.id)
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
        where = await self.catalog.platform_of(user_id) or "other"
        return tuple(str(w) for w in check_reply(text, platform=where, audience="buyer"))

    async def list_own(self, user_id: int) -> list[StoredTemplate]:
        return await self.templates.list_owned("user", user_id)

    async def delete_own(self, user_id: int, template_id: int) -> StoredTemplate:
        stored = await self.own(user_id, str(template_id))
        await self.templates.delete(stored.id)
        return stored
