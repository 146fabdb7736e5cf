"""The /dispute wizard's use cases: the engine's pure session, saved after every change.

Discord-free: the cog turns clicks and modal submits into plain values and calls these methods.
A domain error never loses what was typed: it is kept in the saved state and shown again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.disputes.engine.errors import InvalidAnswer, InvalidAnswers, SessionError
from bot.disputes.engine.flow import Flow
from bot.disputes.engine.outcome import Draft, Outcome
from bot.disputes.engine.planner import plan_outcome
from bot.disputes.engine.session import Session, default_for, go_back, jump_to, record_answer, start_session
from bot.disputes.wizard.steps import SELF_ANSWERED, Screen, current_screen
from bot.errors import DisputeDeskError
from bot.storage.database import Database
from bot.storage.dispute_sessions import DisputeSessionRepository, StaleSession, StoredSession
from bot.tones import TONES

SHARE_PREVIEW = "share_preview"
# What a duplicated case keeps: the answers about the order and the seller. Dates and long texts
# (the buyer's words) belong to one dispute, so the new case asks them again.
KEPT_ON_DUPLICATE = frozenset({"choice", "multi_choice", "yes_no", "number", "money", "short_text"})


class NotYourSession(DisputeDeskError):
    def __init__(self) -> None:
        super().__init__("This isn't your case: start your own with `/dispute start`.")


class SessionGone(DisputeDeskError):
    def __init__(self) -> None:
        super().__init__(
            "This case is no longer here (it was closed or expired). Start a new one with `/dispute start`."
        )


@dataclass(frozen=True)
class WizardState:
    stored: StoredSession
    session: Session
    screen: Screen | None
    typed: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    closed: bool = False

    @property
    def id(self) -> int:
        return self.stored.id

    @property
    def user_id(self) -> int:
        return self.stored.user_id


class WizardService:
    # The bot is the only writer of its sessions, so the latest state of recent sessions is kept
    # in memory: a click then needs no read and no re-validation of the stored JSON (a restart
    # starts with an empty cache and reads from the database). Saves still check the revision.
    CACHE_SIZE = 4096

    def __init__(self, db: Database, flow: Flow) -> None:
        self.flow = flow
        self.sessions = DisputeSessionRepository(db)
        # SQLite mode is one process (a lock file), so the cache is the truth. On PostgreSQL another
        # process may have saved the case: the cached copy is used only while its revision is stored.
        self._verify_cache = db.dialect != "sqlite"
        self._cache: OrderedDict[int, WizardState] = OrderedDict()

    # -- loading and saving ------------------------------------------------------------------
    def _state(
        self, stored: StoredSession, session: Session | None = None, screen: Screen | None = None
    ) -> WizardState:
        data = stored.state
        if session is None:
            session = Session.from_dict(data["engine"], self.flow)
            screen = current_screen(self.flow, session)
        state = WizardState(
            stored,
            session,
            screen,
            typed=dict(data.get("typed") or {}),
            error=data.get("error"),
            closed=stored.status == "cancelled",
        )
        self._cache[stored.id] = state
        self._cache.move_to_end(stored.id)
        while len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)
        return state

    @staticmethod
    def _data(session: Session, typed: Mapping[str, str] | None = None, error: str | None = None) -> dict[str, Any]:
        return {"engine": session.to_dict(), "typed": dict(typed or {}), "error": error}

    async def _save(
        self,
        state: WizardState,
        session: Session,
        now: datetime,
        *,
        typed: Mapping[str, str] | None = None,
        error: str | None = None,
        status: str | None = None,
    ) -> WizardState:
        session = self._answer_self_answered(session, now)
        screen = current_screen(self.flow, session)
        if status is None:
            status = "finished" if screen is None else "active"
        try:
            stored = await self.sessions.save(
                state.stored, self._data(session, typed, error), status=status, now=now  # type: ignore[arg-type]
            )
        except StaleSession:
            # Another process (or a click at the same time) saved first: drop the cached copy so
            # the next click works on what is stored instead of failing on the stale revision.
            self._cache.pop(state.id, None)
            raise
        return self._state(stored, session, screen)

    def _answer_self_answered(self, session: Session, now: datetime) -> Session:
        screen = current_screen(self.flow, session)
        while screen is not None and screen.first.id in SELF_ANSWERED:
            question = screen.first
            session = record_answer(self.flow, session, question.id, default_for(question, session), now=now)
            screen = current_screen(self.flow, session)
        return session

    async def start(
        self, user_id: int, prefill: Mapping[str, str], now: datetime, *, guild_id: int | None = None
    ) -> WizardState:
        """A new session; ``prefill`` answers (from command options) are recorded when valid.

        ``guild_id``: the server it is started in, where the bot is installed (for /dispute stats).
        """
        session = start_session(self.flow, now=now)
        problems: list[str] = []
        for question_id, raw in prefill.items():
            try:
                session = record_answer(self.flow, session, question_id, raw, now=now)
            except InvalidAnswer as exc:
                problems.append(str(exc))
        data = self._data(session, error="; ".join(problems) or None)
        stored = await self.sessions.create(user_id, data, now, guild_id=guild_id)
        return self._state(stored, session, current_screen(self.flow, session))

    async def duplicate(self, state: WizardState, now: datetime, *, guild_id: int | None = None) -> WizardState:
        """A new case starting from this one's answers, except its dates and the buyer's words."""
        session = start_session(self.flow, now=now)
        for question_id, value in state.session.answers.items():
            question = self.flow.question(question_id)
            if question is None or value is None or question.kind not in KEPT_ON_DUPLICATE:
                continue
            raw = ",".join(map(str, value)) if isinstance(value, list) else _typed(value)
            try:
                session = record_answer(self.flow, session, question_id, raw, now=now)
            except InvalidAnswer:
                continue  # a rule changed since: the question is simply asked again
        stored = await self.sessions.create(state.user_id, self._data(session), now, guild_id=guild_id)
        return self._state(stored, session, current_screen(self.flow, session))

    async def load(self, session_id: int, user_id: int) -> WizardState:
        state = self._cache.get(session_id)
        if state is not None and self._verify_cache and not await self._still_current(state):
            state = None  # another process saved it since
        if state is None:
            stored = await self.sessions.get(session_id)
            if stored is None:
                raise SessionGone()
            state = self._state(stored)
        if state.closed:
            raise SessionGone()
        if state.user_id != user_id:
            raise NotYourSession()
        return state

    async def _still_current(self, state: WizardState) -> bool:
        return await self.sessions.revision(state.id) == state.stored.revision

    def from_stored(self, stored: StoredSession) -> WizardState:
        """The wizard state of a session read elsewhere (e.g. in a list of cases)."""
        cached = self._cache.get(stored.id)
        if cached is not None and cached.stored.revision == stored.revision:
            return cached
        return self._state(stored)

    async def latest(self, user_id: int) -> WizardState | None:
        stored = await self.sessions.latest_active(user_id)
        return self._state(stored) if stored else None

    # -- changes -------------------------------------------------------------------------------
    async def answer(self, state: WizardState, values: Mapping[str, Any], now: datetime) -> WizardState:
        """Record the answers of one screen; on a problem keep what was typed and say what is wrong."""
        session = state.session
        problems: list[str] = []
        for question_id, raw in values.items():
            try:
                session = record_answer(self.flow, session, question_id, raw, now=now)
            except InvalidAnswer as exc:
                problems.append(str(exc))
        if problems:
            typed = {key: str(value) for key, value in values.items()}
            return await self._save(state, state.session, now, typed=typed, error="\n".join(problems))
        return await self._save(state, session, now)

    async def back(self, state: WizardState, now: datetime) -> WizardState:
        session = state.session
        try:
            while True:  # step over the answers the wizard gave itself
                undone = session.history[-1] if session.history else None
                session = go_back(self.flow, session)
                if undone not in SELF_ANSWERED:
                    break
        except SessionError:
            return await self._save(state, state.session, now, error="This is the first question already.")
        return await self._save(state, session, now)

    async def edit(self, state: WizardState, question_id: str, now: datetime) -> WizardState:
        """Re-open one answered question; the other answers stay."""
        session = jump_to(self.flow, state.session, question_id)
        return await self._save(state, session, now)

    async def restart(self, state: WizardState, now: datetime) -> WizardState:
        return await self._save(state, start_session(self.flow, now=now), now)

    async def cancel(self, state: WizardState, now: datetime) -> WizardState:
        return await self._save(state, state.session, now, status="cancelled")

    async def set_tone(self, state: WizardState, tone: str, now: datetime) -> WizardState:
        if tone not in TONES:
            raise InvalidAnswer("tone", f"{tone!r} is not a tone", ", ".join(TONES))
        session = record_answer(self.flow, state.session, "tone", tone, now=now)
        return await self._save(state, session, now)

    async def store_share_preview(self, state: WizardState, text: str, now: datetime) -> WizardState:
        """Keep the anonymised text the user was shown: only that text may be posted, once."""
        data = {**state.stored.state, SHARE_PREVIEW: text}
        stored = await self._write(state, data, now)
        return self._state(stored, state.session, state.screen)

    @staticmethod
    def share_preview(state: WizardState) -> str | None:
        """The stored text awaiting a post, if a preview was shown."""
        text = state.stored.state.get(SHARE_PREVIEW)
        return text if isinstance(text, str) else None

    async def take_share_preview(self, state: WizardState, now: datetime) -> str:
        """The previewed text, removed so it is posted at most once (of two clicks, one wins)."""
        text = state.stored.state.get(SHARE_PREVIEW)
        if not isinstance(text, str):
            raise DisputeDeskError("Press **Share for feedback** first: only a text you have previewed is posted.")
        data = {k: v for k, v in state.stored.state.items() if k != SHARE_PREVIEW}
        stored = await self._write(state, data, now)
        self._state(stored, state.session, state.screen)
        return text

    async def _write(self, state: WizardState, data: dict[str, Any], now: datetime) -> StoredSession:
        try:
            return await self.sessions.save(state.stored, data, status=state.stored.status, now=now)
        except StaleSession:
            self._cache.pop(state.id, None)  # another writer got there first: read it afresh next time
            raise

    async def purge(self, older_than: timedelta, now: datetime, *, closed_older_than: timedelta | None = None) -> int:
        """Delete unfinished cases idle for ``older_than`` and, if given, closed ones past their retention."""
        self._cache.clear()
        removed = await self.sessions.purge_unfinished(older_than, now)
        if closed_older_than is not None:
            removed += await self.sessions.purge_closed(closed_older_than, now)
        return removed

    # -- reading -------------------------------------------------------------------------------
    def screen(self, state: WizardState) -> Screen | None:
        return state.screen

    async def draft(self, session_id: int, user_id: int, draft_id: str, now: datetime) -> Draft:
        """One draft of the user's case, as its answers make it now."""
        outcome = self.outcome(await self.load(session_id, user_id), now)
        draft = next((d for d in outcome.drafts if d.id == draft_id), None)
        if draft is None:
            raise DisputeDeskError("That draft no longer fits your answers; pick another one.")
        return draft

    def outcome(self, state: WizardState, now: datetime) -> Outcome:
        try:
            return plan_outcome(self.flow, state.session, now=now)
        except InvalidAnswers as exc:
            raise DisputeDeskError(f"Some answers are missing: {exc}") from exc


def _typed(value: Any) -> str:
    """An answer as the person would type it again."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
