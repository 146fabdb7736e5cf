"""/reply: filling a template in, page by page, then posting it once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from bot.errors import DisputeDeskError, TemplateError, TemplateStopped
from bot.replies import ReplyTemplate
from bot.replies.catalog import TemplateCatalog
from bot.replies.fill import Resolution
from bot.replies.service import (
    DraftGone,
    FillState,
    FillStep,
    ReplyDrafts,
    ReplyRenderer,
    TemplateNotFound,
    TemplateQuarantined,
    describe_problems,
    fill_step,
    visible_to,
    wording_warnings,
)
from bot.storage.reply_templates import StoredTemplate


class FillService:
    def __init__(self, catalog: TemplateCatalog, drafts: ReplyDrafts, renders: ReplyRenderer) -> None:
        self.catalog = catalog
        self.templates = catalog.templates
        self.drafts = drafts
        self.renders = renders

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
        template = self.catalog.template_of(stored)
        declared = {v.name for v in template.fields}
        given = {k: v.strip() for k, v in options.items() if k in declared and v and v.strip()}
        resolution = await self.renders.resolve(template, user_id, tone, given, now, guild_id)
        state = FillState(
            template_id=stored.id,
            guild_id=guild_id,
            tone=tone,
            values={k: v for k, v in given.items() if k not in resolution.invalid},
            asking=tuple(v.name for v in resolution.to_ask),
            typed={k: v for k, v in given.items() if k in resolution.invalid},
            error=describe_problems(template, resolution.invalid, ()),
        )
        if not resolution.ready:
            draft = await self.drafts.repo.create(user_id, "fill", state.to_dict(), now)
            return fill_step(draft.id, template, resolution.tone, state)
        # Refused before anything is stored when this user cannot render now; else the slot is theirs.
        self.renders.claim(user_id, now)
        try:
            draft = await self.drafts.repo.create(user_id, "fill", state.to_dict(), now)
        except BaseException:
            self.renders.release(user_id)
            raise
        return FillStep(draft.id, template, resolution.tone, pending=resolution, claimed=True)

    async def finish(self, step: FillStep, user_id: int, now: datetime) -> FillStep:
        """Render a step that ``start`` or ``submit`` left pending; the finished step."""
        if step.pending is None:
            return step
        try:
            draft = await self.drafts.load(step.draft_id, user_id, "fill")
        except BaseException:
            if step.claimed:
                self.renders.release(user_id)
            raise
        state = FillState.from_dict(draft.state)
        return await self._finish(step.draft_id, user_id, step.template, step.pending, state, now, step.claimed)

    async def current(self, draft_id: int, user_id: int) -> FillStep:
        """The step a fill draft is at (to reopen its form)."""
        draft = await self.drafts.load(draft_id, user_id, "fill")
        state = FillState.from_dict(draft.state)
        template = self.catalog.template_of(await self._template_for(draft.user_id, state))
        tone = template.pick_tone(state.tone)
        if state.text is not None:
            return FillStep(draft.id, template, tone, text=state.text, warnings=state.warnings)
        return fill_step(draft.id, template, tone, state)

    async def submit(
        self, draft_id: int, user_id: int, page: int, submitted: Mapping[str, str], now: datetime
    ) -> FillStep:
        """Take one page of the form; stay on it with what was typed when a value is refused."""
        draft = await self.drafts.load(draft_id, user_id, "fill")
        state = FillState.from_dict(draft.state)
        template = self.catalog.template_of(await self._template_for(draft.user_id, state))
        if state.text is not None or page != state.page:
            return await self.current(draft_id, user_id)  # a form submitted twice: show where we are
        fields = state.page_names(page)
        given = {k: v.strip() for k, v in submitted.items() if k in fields}
        values = {**state.values, **{k: v for k, v in given.items() if v}}
        resolution = await self.renders.resolve(template, user_id, state.tone, values, now, state.guild_id)
        invalid = {k: v for k, v in resolution.invalid.items() if k in fields}
        missing = tuple(v for v in resolution.missing if v.name in fields)
        if invalid or missing:
            state = replace(
                state,
                values={k: v for k, v in values.items() if k not in invalid},
                typed=given,
                error=describe_problems(template, invalid, missing),
            )
            await self.drafts.save_state(draft, state.to_dict(), now)
            return fill_step(draft.id, template, resolution.tone, state)
        state = replace(state, values=values, page=page + 1, typed={}, error=None)
        if resolution.ready:
            await self.drafts.save_state(draft, state.to_dict(), now)
            return FillStep(draft.id, template, resolution.tone, page=page + 1, pending=resolution)
        if state.page >= state.page_count:  # something outside these pages is still wanted
            state = replace(
                state,
                asking=tuple(v.name for v in resolution.to_ask),
                page=0,
                error=describe_problems(template, resolution.invalid, ()),
                typed={},
            )
        await self.drafts.save_state(draft, state.to_dict(), now)
        return fill_step(draft.id, template, resolution.tone, state)

    async def claim_post(self, draft_id: int, user_id: int, now: datetime) -> str:
        """The finished text, marked as posted (once: a second click is refused)."""
        draft = await self.drafts.load(draft_id, user_id, "fill")
        if draft.state.get("text") is None:
            raise DisputeDeskError("This reply isn't finished yet: fill in the form first.")
        if not await self.drafts.repo.set_flag(draft_id, "posted", True, now):
            raise DisputeDeskError("This reply was already posted here.")
        return str(draft.state["text"])

    async def release_post(self, draft_id: int, now: datetime) -> None:
        """Posting failed: allow another try."""
        await self.drafts.repo.set_flag(draft_id, "posted", False, now)

    async def _template_for(self, user_id: int, state: FillState) -> StoredTemplate:
        stored = await self.templates.get(state.template_id)
        if stored is None or not visible_to(stored, user_id, state.guild_id):
            raise TemplateNotFound("That template was deleted meanwhile. Pick another with `/reply`.")
        if stored.quarantined:
            raise TemplateQuarantined(stored, user_id)
        return stored

    async def _finish(
        self,
        draft_id: int,
        user_id: int,
        template: ReplyTemplate,
        resolution: Resolution,
        state: FillState,
        now: datetime,
        claimed: bool = False,
    ) -> FillStep:
        try:
            text = await self.renders.render(user_id, resolution, now, claimed=claimed)
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
        if await self.drafts.repo.save(draft_id, state.to_dict(), now) is None:
            raise DraftGone()
        await self.templates.record_use(user_id, state.template_id, now)
        return FillStep(draft_id, template, resolution.tone, text=text, warnings=warnings)
