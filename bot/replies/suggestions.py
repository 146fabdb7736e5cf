""""Draft a reply…": quick replies and a case type suggested for a buyer's message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.disputes.engine.errors import InvalidAnswer
from bot.disputes.engine.flow import Flow
from bot.disputes.engine.session import record_answer, start_session
from bot.disputes.wizard.service import WizardService
from bot.errors import DisputeDeskError
from bot.ratelimit import (
    case_from_message_cooldown,
    draft_a_reply_cooldown,
)
from bot.replies.catalog import TemplateCatalog
from bot.replies.filling import FillService
from bot.replies.personal import (
    BUYER_MESSAGE,
    personal_template,
)
from bot.replies.service import (
    BUYER_WORDS_MAX,
    SUGGESTED_DISPUTES,
    SUGGESTED_TEMPLATES,
    FillStep,
    OpenedCase,
    ReplyDrafts,
    Suggestions,
)
from bot.replies.suggest import suggest, suggest_dispute_types
from bot.storage.cooldowns import CooldownRepository


class SuggestionService:
    def __init__(
        self,
        catalog: TemplateCatalog,
        drafts: ReplyDrafts,
        filling: FillService,
        wizard: WizardService,
        flow: Flow,
        limits: CooldownRepository | None = None,
    ) -> None:
        self.catalog = catalog
        self.drafts = drafts
        self.filling = filling
        self.wizard = wizard
        self.flow = flow
        self.draft_a_reply_limit = draft_a_reply_cooldown()
        self.case_limit = case_from_message_cooldown()
        #: Where the limits on stored drafts and cases are counted (the database, shared by every bot
        #: process); None: memory.
        self.limits = limits

    async def suggest_for_message(
        self, user_id: int, text: str, now: datetime, guild_id: int | None = None
    ) -> Suggestions:
        await self.draft_a_reply_limit.hit_shared(self.limits, user_id, now)
        words = text.strip()
        if len(words) > BUYER_WORDS_MAX:
            words = words[: BUYER_WORDS_MAX - 1].rstrip() + "…"
        draft = await self.drafts.repo.create(user_id, "pick", {"buyer_message": words}, now)
        ranked: list[tuple[float, int, str, str, bool]] = []
        builtin_ids = {t.name: t.id for t in await self.catalog.templates.list_owned("builtin", 0)}
        where = await self.catalog.platform_of(user_id)
        for hit in suggest(words, [t for t in self.catalog.library if t.fits(where)], SUGGESTED_TEMPLATES):
            template = self.catalog.library.get(hit.id)
            if template.name in builtin_ids:
                ranked.append((hit.score, builtin_ids[template.name], template.title, template.name, False))
        owned = await self.catalog.templates.list_owned("user", user_id)
        by_name = {t.name: t for t in owned}
        for hit in suggest(words, [personal_template(t) for t in owned], SUGGESTED_TEMPLATES):
            stored = by_name[hit.id]
            # A personal template that reads the buyer's words fits a message a little better.
            bonus = 1.0 if any(v.get("name") == BUYER_MESSAGE for v in stored.variables) else 0.0
            ranked.append((hit.score + bonus, stored.id, stored.title, stored.name, True))
        if guild_id is not None:  # the server's own library, marked as such
            server = await self.catalog.templates.list_owned("guild", guild_id)
            server_by_name = {t.name: t for t in server}
            for hit in suggest(words, [personal_template(t) for t in server], SUGGESTED_TEMPLATES):
                stored = server_by_name[hit.id]
                bonus = 1.0 if any(v.get("name") == BUYER_MESSAGE for v in stored.variables) else 0.0
                ranked.append((hit.score + bonus, stored.id, f"server · {stored.title}", stored.name, False))
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
        draft = await self.drafts.load(draft_id, user_id, "pick")
        stored = await self.catalog.find(user_id, guild_id, str(template_id))
        options = {BUYER_MESSAGE: str(draft.state.get("buyer_message") or "")}
        return await self.filling.start(user_id, guild_id, stored, tone=None, options=options, now=now)

    async def open_case(self, draft_id: int, user_id: int, dispute_type: str, now: datetime) -> OpenedCase:
        """A /dispute case with the type (and the buyer's words where the flow asks for them) answered."""
        draft = await self.drafts.load(draft_id, user_id, "pick")
        if dispute_type not in {o.value for o in self._dispute_question_options()}:
            raise DisputeDeskError("That isn't a case type; pick one from the list.")
        # One case per buyer message: of two clicks at once, exactly one sets the flag.
        if draft.state.get("case_opened") or not await self.drafts.repo.set_flag(draft_id, "case_opened", True, now):
            raise DisputeDeskError(
                "You already opened a case from this message: bring it back with `/dispute resume`."
            )
        try:
            await self.case_limit.hit_shared(self.limits, user_id, now)
        except DisputeDeskError:
            await self.drafts.repo.set_flag(draft_id, "case_opened", False, now)  # may try again later
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
