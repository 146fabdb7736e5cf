"""One wizard step: the cog's one call per click or form. Load, apply the action, save, say what to show.

The cog turns a click into a :class:`Click` and calls :meth:`StepService.step` once; it gets back a
:class:`Shown` (the state, the screen's profile defaults or the outcome, the community line) and
only lays it out. The transitions a click can ask for are the table :data:`TRANSITIONS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.disputes.cases.service import CaseService
from bot.disputes.engine.outcome import Outcome
from bot.disputes.wizard.service import WizardService, WizardState
from bot.disputes.wizard.steps import PROFILE_DEFAULTS
from bot.errors import DisputeDeskError
from bot.ratelimit import case_start_cooldown
from bot.storage.cooldowns import CooldownRepository
from bot.storage.dispute_sessions import StaleSession
from bot.storage.profiles import ProfileRepository

CLOSED = "Case closed. Start a new one any time with `/dispute start`."


class StepAction(StrEnum):
    """What a wizard control or form asks of the case (the ``<action>`` of ``dd:<id>:<action>``)."""

    ANSWER = "answer"  # argument "<question>=<value>"
    PICK = "pick"  # argument: the question; values: the options chosen
    BACK = "back"
    RESTART = "restart"
    EDIT = "edit"  # values: the question to answer again
    TONE = "tone"  # argument: the tone
    CANCEL = "cancel"
    OPEN = "open"  # open the current form (or show the screen when it is not one)
    SUBMIT = "submit"  # a form's typed values
    SHOW = "show"  # show the case again in a new message


@dataclass(frozen=True)
class Click:
    """One click or form, read off Discord and checked: the cog's whole question to the core."""

    session_id: int
    user_id: int
    action: StepAction
    argument: str = ""
    values: tuple[str, ...] = ()
    typed: Mapping[str, str] = field(default_factory=dict)
    guild_id: int | None = None  # where the bot is installed, for the community line


@dataclass(frozen=True)
class Shown:
    """What follows a step: the current screen (with the profile's defaults) or the outcome."""

    state: WizardState
    profile: Mapping[str, str] = field(default_factory=dict)
    outcome: Outcome | None = None
    can_remind: bool = False
    community: str | None = None
    #: A line replacing the message's content: the case was closed, or saved meanwhile.
    note: str | None = None
    closed: bool = False


Transition = Callable[["StepService", WizardState, Click, datetime], Awaitable[WizardState]]


async def _answer(service: StepService, state: WizardState, click: Click, now: datetime) -> WizardState:
    question_id, _, value = click.argument.partition("=")
    return await service.wizard.answer(state, {question_id: value}, now)


async def _pick(service: StepService, state: WizardState, click: Click, now: datetime) -> WizardState:
    return await service.wizard.answer(state, {click.argument: ",".join(click.values)}, now)


async def _back(service: StepService, state: WizardState, click: Click, now: datetime) -> WizardState:
    return await service.wizard.back(state, now)


async def _restart(service: StepService, state: WizardState, click: Click, now: datetime) -> WizardState:
    return await service.wizard.restart(state, now)


async def _edit(service: StepService, state: WizardState, click: Click, now: datetime) -> WizardState:
    if not click.values:
        raise DisputeDeskError("Pick the answer to change from the list.")
    return await service.wizard.edit(state, click.values[0], now)


async def _tone(service: StepService, state: WizardState, click: Click, now: datetime) -> WizardState:
    return await service.wizard.set_tone(state, click.argument, now)


async def _cancel(service: StepService, state: WizardState, click: Click, now: datetime) -> WizardState:
    await service.cases.abandon(state, now)
    return state


async def _stay(service: StepService, state: WizardState, click: Click, now: datetime) -> WizardState:
    return state


async def _submit(service: StepService, state: WizardState, click: Click, now: datetime) -> WizardState:
    submitted = dict(click.typed)
    if state.screen is not None and state.screen.kind == "form":
        wanted = {question.id for question in state.screen.questions}
        submitted = {key: value for key, value in submitted.items() if key in wanted}
    return await service.wizard.answer(state, submitted, now) if submitted else state


TRANSITIONS: Mapping[StepAction, Transition] = {
    StepAction.ANSWER: _answer,
    StepAction.PICK: _pick,
    StepAction.BACK: _back,
    StepAction.RESTART: _restart,
    StepAction.EDIT: _edit,
    StepAction.TONE: _tone,
    StepAction.CANCEL: _cancel,
    StepAction.OPEN: _stay,
    StepAction.SUBMIT: _submit,
    StepAction.SHOW: _stay,
}


class StepService:
    """The wizard's one entry point per step; given the wizard, the case service and the profiles."""

    def __init__(
        self,
        wizard: WizardService,
        cases: CaseService,
        profiles: ProfileRepository,
        limits: CooldownRepository | None = None,
    ) -> None:
        self.wizard = wizard
        self.cases = cases
        self.profiles = profiles
        #: Counted in the database (``limits``), so it holds across bot processes.
        self.case_limit = case_start_cooldown()
        self.limits = limits

    async def forget_idle_limits(self, now: datetime) -> int:
        """Drop the database's rate-limit counters untouched for a day (longer than any refill)."""
        return await self.limits.purge(timedelta(days=1), now) if self.limits is not None else 0

    async def step(self, click: Click, now: datetime) -> Shown:
        """Apply one click to the saved case and say what follows.

        When the case was saved meanwhile (a click at the same time, or another bot process), the
        click is not applied: the latest stored state is shown, with a line saying so.
        """
        state = await self.wizard.load(click.session_id, click.user_id)
        try:
            after = await TRANSITIONS[click.action](self, state, click, now)
        except StaleSession as stale:
            latest = await self.wizard.load(click.session_id, click.user_id)  # read afresh
            shown = await self.shown(latest, now, click.guild_id)
            return Shown(**{**shown.__dict__, "note": f"{stale} Check it and click again if needed."})
        if click.action is StepAction.CANCEL:
            return Shown(after, note=CLOSED, closed=True)
        return await self.shown(after, now, click.guild_id)

    async def start(
        self, user_id: int, prefill: Mapping[str, str], now: datetime, *, guild_id: int | None = None
    ) -> Shown:
        """A new case, the command's options and the seller's profile defaults answered."""
        await self.case_limit.hit_shared(self.limits, user_id, now)
        answers = dict(prefill)
        profile = await self.profiles.get(user_id)
        for question_id, value in (
            ("tone", profile.default_tone),
            ("signature_name", profile.display_name),
            ("signature_sign_off", profile.sign_off),
        ):
            if value:
                answers[question_id] = value
        state = await self.wizard.start(user_id, answers, now, guild_id=guild_id)
        return await self.shown(state, now, guild_id)

    async def resume(self, user_id: int, case: int | None, now: datetime, *, guild_id: int | None = None) -> Shown:
        """The named case, or the seller's latest unfinished one."""
        if case is None:
            state = await self.wizard.latest(user_id)
            if state is None:
                raise DisputeDeskError("You have no unfinished case. Start one with `/dispute start`.")
        else:
            state = await self.wizard.load(case, user_id)
        return await self.shown(state, now, guild_id)

    async def duplicate(self, session_id: int, user_id: int, now: datetime, *, guild_id: int | None = None) -> Shown:
        """A new case from this one's answers (see ``WizardService.duplicate``)."""
        state = await self.wizard.load(session_id, user_id)
        new = await self.wizard.duplicate(state, now, guild_id=guild_id)
        return await self.shown(new, now, guild_id)

    async def shown(self, state: WizardState, now: datetime, guild_id: int | None) -> Shown:
        screen = state.screen
        if screen is not None:
            if not any(question.id in PROFILE_DEFAULTS for question in screen.questions):
                return Shown(state)
            return Shown(state, profile=(await self.profiles.get(state.user_id)).known_values())
        outcome = self.wizard.outcome(state, now)
        await self.cases.schedule_result_prompt(state, outcome, now)
        community = await self.cases.community_line(guild_id, state.session.answers)
        can_remind = any(deadline.due > now for deadline in outcome.deadlines)
        return Shown(state, outcome=outcome, can_remind=can_remind, community=community)
