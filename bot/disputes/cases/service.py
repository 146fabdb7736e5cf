"""The use cases of /dispute cases and of deadline reminders. Discord-free.

A reminder is a scheduled job of kind ``reminder`` (see :mod:`bot.scheduler`), owned by the user,
carrying a :class:`~bot.disputes.cases.reminders.ReminderNote`; the cog sends it when it falls due.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from bot.disputes.cases.reminders import (
    KIND,
    MAX_PENDING_PER_USER,
    ReminderError,
    ReminderNote,
    remind_time,
    reminder_text,
)
from bot.disputes.cases.stats import ServerOutcomes, community_line, group_outcomes
from bot.disputes.engine.flow import Flow
from bot.disputes.engine.outcome import Deadline, Outcome
from bot.disputes.engine.parsing import parse_money
from bot.disputes.wizard.service import SessionGone, WizardService, WizardState
from bot.errors import DisputeDeskError
from bot.storage.dispute_sessions import CaseRow
from bot.storage.scheduled_jobs import Job, JobRepository

# The results a seller can record when closing a case, in the order they are offered (labels are
# content: bot/disputes/cases/results.toml).
RESULTS: dict[str, str] = {
    key: str(label) for key, label in tomllib.loads(
        resources.files("bot.disputes.cases").joinpath("results.toml").read_text(encoding="utf-8")
    ).items()
}  # fmt: skip
RESULT_PROMPT = "result_prompt"
# Asked this long after the case's last deadline (or after its outcome, when it has none).
PROMPT_AFTER = timedelta(days=3)
AMOUNT_KEYS = ("order_value", "milestone_amount", "invoice_amount", "deposit_amount")
MAX_LISTED = 25


@dataclass(frozen=True)
class Reminder:
    job_id: int
    at: datetime
    note: ReminderNote


@dataclass(frozen=True)
class CaseSummary:
    id: int
    platform: str
    dispute_type: str
    amount: str
    next_deadline: Deadline | None
    finished: bool  # the wizard reached an outcome
    result: str | None
    result_amount: str | None

    @property
    def open(self) -> bool:
        return self.result in (None, "still_open")

    @property
    def result_label(self) -> str:
        if self.result is None:
            return "open" if self.finished else "questions not finished"
        label = RESULTS.get(self.result, self.result)
        return f"{label} ({self.result_amount})" if self.result_amount else label


@dataclass(frozen=True)
class CasePage:
    """One case as /dispute cases shows it: its summary and reminders (and the one just cancelled)."""

    case: CaseSummary
    reminders: list[Reminder]
    cancelled: Reminder | None = None


class CaseService:
    def __init__(self, wizard: WizardService, jobs: JobRepository) -> None:
        self.wizard = wizard
        self.jobs = jobs

    # -- reminders -------------------------------------------------------------------------------
    def running_deadlines(self, state: WizardState, now: datetime) -> list[tuple[int, Deadline]]:
        """The outcome's deadlines that have not passed, with their index in the outcome."""
        if self.wizard.screen(state) is not None:
            return []
        return [(i, d) for i, d in enumerate(self.wizard.outcome(state, now).deadlines) if d.due > now]

    async def deadlines_to_remind(self, session_id: int, user_id: int, now: datetime) -> list[tuple[int, Deadline]]:
        """The "Remind me" button: the user's case's running deadlines; refused when none is left."""
        deadlines = self.running_deadlines(await self.wizard.load(session_id, user_id), now)
        if not deadlines:
            raise ReminderError("This case has no deadline still running, so there is nothing to remind you of.")
        return deadlines

    async def remind(self, session_id: int, user_id: int, deadline_index: int, choice: str, now: datetime) -> Reminder:
        """A reminder picked or typed for one deadline of the user's case: scheduled, headed by the case."""
        state = await self.wizard.load(session_id, user_id)
        heading = " · ".join(self.heading(state.session.answers))
        return await self.set_reminder(state, deadline_index, choice, heading, now)

    async def set_reminder(
        self, state: WizardState, deadline_index: int, choice: str, heading: str, now: datetime
    ) -> Reminder:
        """Schedule a reminder before one deadline of the case's outcome."""
        if self.wizard.screen(state) is not None:
            raise ReminderError("Answer the remaining questions first: reminders are for the outcome's deadlines.")
        outcome = self.wizard.outcome(state, now)
        if not 0 <= deadline_index < len(outcome.deadlines):
            raise ReminderError("That deadline is no longer part of this case; open the case again.")
        deadline = outcome.deadlines[deadline_index]
        at = remind_time(deadline.due, choice, now)
        if len(await self.jobs.pending_for_user(state.user_id, KIND)) >= MAX_PENDING_PER_USER:
            raise ReminderError(
                f"You have {MAX_PENDING_PER_USER} reminders waiting already, the most there can be: "
                "cancel one from `/dispute cases` first."
            )
        note = ReminderNote(state.id, deadline.label, deadline.due, heading, _todo(outcome))
        job = await self.jobs.add(
            KIND, note.to_payload(), at, user_id=state.user_id, session_id=state.id, now=now
        )
        return Reminder(job.id, job.due_at, note)

    async def cancel_reminder(self, user_id: int, job_id: int, now: datetime) -> Reminder:
        job = await self.jobs.cancel(job_id, user_id, now)
        if job is None or job.kind != KIND:
            raise ReminderError("That reminder was already sent or cancelled.")
        return _reminder(job)

    async def reminders(self, user_id: int, session_id: int | None = None) -> list[Reminder]:
        return [_reminder(job) for job in await self.jobs.pending_for_user(user_id, KIND, session_id)]

    @staticmethod
    def reminder_due(job: Job, now: datetime) -> tuple[ReminderNote, str | None]:
        """The note and the text to send now, or None as text when the deadline has passed."""
        note = ReminderNote.from_payload(job.payload)
        return note, reminder_text(note, job.due_at, now)

    # -- "how did it end?" -----------------------------------------------------------------------
    async def schedule_result_prompt(self, state: WizardState, outcome: Outcome, now: datetime) -> None:
        """Once per case: a private question a few days after its last deadline, unless switched off."""
        due = max((d.due for d in outcome.deadlines), default=now) + PROMPT_AFTER
        if due <= now:
            return
        heading = " · ".join(self.heading(state.session.answers))
        await self.wizard.sessions.schedule_result_prompt(
            RESULT_PROMPT, state.id, state.user_id, {"session_id": state.id, "heading": heading}, due, now
        )

    async def result_prompt_due(self, job: Job, now: datetime) -> str | None:
        """The question to send now; None when the case is closed or gone, or the user said no more."""
        assert job.user_id is not None and job.session_id is not None
        if await self.wizard.sessions.prompts_stopped(job.user_id):
            return None
        row = await self.wizard.sessions.get_case(job.session_id, job.user_id)
        if row is None or row.result not in (None, "still_open"):
            return None
        heading = str(job.payload.get("heading", ""))
        return (
            f"How did case #{job.session_id} ({heading}) end? One click below records it with the case "
            "(only you see it). Recorded results, without names or amounts, can count in `/dispute stats` "
            "of the server where you started the case."
        )

    async def stop_result_prompts(self, user_id: int, now: datetime) -> None:
        await self.wizard.sessions.stop_prompts(user_id, now)
        for job in await self.jobs.pending_for_user(user_id, RESULT_PROMPT):
            await self.jobs.cancel(job.id, user_id, now)

    # -- cases -----------------------------------------------------------------------------------
    async def cases(self, user_id: int, now: datetime) -> list[CaseSummary]:
        rows = await self.wizard.sessions.list_cases(user_id, MAX_LISTED)
        return [self._summary(row, now) for row in rows]

    async def case(self, user_id: int, session_id: int, now: datetime) -> CaseSummary:
        row = await self.wizard.sessions.get_case(session_id, user_id)
        if row is None:
            raise SessionGone()
        return self._summary(row, now)

    async def page(self, user_id: int, session_id: int, now: datetime) -> CasePage:
        """One of the user's cases with its pending reminders."""
        return CasePage(await self.case(user_id, session_id, now), await self.reminders(user_id, session_id))

    async def cancel_on_page(self, user_id: int, session_id: int, job_id: int, now: datetime) -> CasePage:
        """Cancel one of the case's reminders; the case as it is after."""
        cancelled = await self.cancel_reminder(user_id, job_id, now)
        page = await self.page(user_id, session_id, now)
        return CasePage(page.case, page.reminders, cancelled)

    async def close_on_page(
        self, user_id: int, session_id: int, result: str, amount: str | None, now: datetime
    ) -> CasePage:
        """Record the case's result (see :meth:`close`); the case as it is after."""
        await self.close(user_id, session_id, result, amount, now)
        return await self.page(user_id, session_id, now)

    def heading(self, answers: Mapping[str, Any]) -> tuple[str, str]:
        """The case's platform and dispute type as people read them."""
        return label_of(self.wizard.flow, "platform", answers.get("platform")), label_of(
            self.wizard.flow, "dispute_type", answers.get("dispute_type")
        )

    def _summary(self, row: CaseRow, now: datetime) -> CaseSummary:
        answers = row.session.state.get("engine", {}).get("answers", {})
        platform, dispute_type = self.heading(answers)
        next_deadline = None
        finished = row.session.status == "finished"
        if finished and row.result in (None, "still_open"):
            state = self.wizard.from_stored(row.session)
            running = self.running_deadlines(state, now) if state.screen is None else []
            next_deadline = min((d for _, d in running), key=lambda d: d.due, default=None)
        return CaseSummary(
            id=row.session.id,
            platform=platform,
            dispute_type=dispute_type,
            amount=_amount(answers),
            next_deadline=next_deadline,
            finished=finished,
            result=row.result,
            result_amount=row.result_amount,
        )

    async def server_outcomes(self, guild_id: int) -> ServerOutcomes:
        """How the cases started in ``guild_id`` ended, groups under the minimum size hidden."""
        rows = await self.wizard.sessions.result_counts(guild_id)
        return group_outcomes(rows, RESULTS, lambda question, value: label_of(self.wizard.flow, question, value))

    async def community_line(self, guild_id: int | None, answers: Mapping[str, Any]) -> str | None:
        """"In this server, 7 of 10 … ended: …" for an outcome, when enough cases like it ended there."""
        if guild_id is None:
            return None
        platform, dispute_type = self.heading(answers)
        outcomes = await self.server_outcomes(guild_id)
        return community_line(outcomes, dispute_type, platform, lambda result: RESULTS.get(result, result))

    async def abandon(self, state: WizardState, now: datetime) -> None:
        """The wizard's Close button: the case is dropped, and so are its reminders."""
        await self.wizard.cancel(state, now)
        for reminder in await self.reminders(state.user_id, state.id):
            await self.jobs.cancel(reminder.job_id, state.user_id, now)

    async def close(self, user_id: int, session_id: int, result: str, amount: str | None, now: datetime) -> str:
        """Record the case's result; a closed case's reminders are cancelled. Returns the stored amount."""
        if result not in RESULTS:
            raise DisputeDeskError(f"{result!r} is not a result; choose one of the list.")
        stored_amount = None
        if result == "partial_refund":
            if not amount or not amount.strip():
                raise DisputeDeskError("Type the amount refunded, like 200 or 200 EUR.")
            try:
                money = parse_money(amount)
            except ValueError as exc:
                raise DisputeDeskError(str(exc)) from None
            stored_amount = f"{money.amount:,} {money.currency}".strip() if money.currency else f"{money.amount:,}"
        if not await self.wizard.sessions.set_result(session_id, user_id, result, stored_amount, now):
            raise SessionGone()
        if result != "still_open":
            for reminder in await self.reminders(user_id, session_id):
                await self.jobs.cancel(reminder.job_id, user_id, now)
        return stored_amount or ""


def label_of(flow: Flow, question_id: str, value: Any) -> str:
    if value is None:
        return "—"
    question = flow.question(question_id)
    option = question.option(str(value)) if question else None
    return option.label if option else str(value)


def _reminder(job: Job) -> Reminder:
    return Reminder(job.id, job.due_at, ReminderNote.from_payload(job.payload))


def _todo(outcome: Outcome) -> str:
    recommended = outcome.recommended
    return recommended.title if recommended is not None else outcome.summary.split(". ")[0]


def _amount(answers: Mapping[str, Any]) -> str:
    for key in AMOUNT_KEYS:
        value = answers.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            currency = answers.get("currency")
            shown = f"{value:,.2f}".removesuffix(".00")
            return f"{shown} {currency}" if isinstance(currency, str) and currency else shown
        if isinstance(value, str) and value:
            return value
    return "—"
