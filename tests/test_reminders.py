"""Reminder times and texts (pure), and the case service on real SQLite: limits, results, cancels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.disputes.cases.reminders import (
    MAX_PENDING_PER_USER,
    ReminderError,
    ReminderNote,
    remind_time,
    reminder_text,
)
from bot.disputes.cases.service import RESULTS, CaseService
from bot.disputes.engine.flow import load_flow
from bot.disputes.wizard.service import WizardService, WizardState
from bot.storage import Database
from bot.storage.scheduled_jobs import JobRepository
from tests.s1 import S1_NOW, s1_answers, typed

DUE = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
NOTE = ReminderNote(3, "Answer the cancellation request", DUE, "Fiverr · Cancellation", "Decline calmly")


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("6h", DUE - timedelta(hours=6)),
        ("1h", DUE - timedelta(hours=1)),
        ("2 h before", DUE - timedelta(hours=2)),
        ("90 minutes before", DUE - timedelta(minutes=90)),
        ("in 3 hours", S1_NOW + timedelta(hours=3)),
        ("tomorrow 02:30", datetime(2026, 11, 29, 2, 30, tzinfo=UTC)),
        ("2026-11-28 20:00", datetime(2026, 11, 28, 20, 0, tzinfo=UTC)),
    ],
)
def test_remind_time_reads_presets_and_the_wizards_lenient_forms(choice: str, expected: datetime) -> None:
    assert remind_time(DUE, choice, S1_NOW) == expected


@pytest.mark.parametrize(
    ("choice", "now", "message"),
    [
        ("6h", DUE - timedelta(hours=5), "less than 6 h before away"),
        ("1h", DUE - timedelta(minutes=30), "less than 1 h before away"),
        ("6h", DUE, "That deadline has passed already"),
        ("yesterday 10:00", S1_NOW, "That time has passed already"),
        ("3 days before", S1_NOW, "That time has passed already"),
        ("in 2 days", S1_NOW, "That is not before the deadline"),
        ("soonish", S1_NOW, "is not a date-time"),
    ],
)
def test_remind_time_says_which_rule_refused(choice: str, now: datetime, message: str) -> None:
    with pytest.raises(ReminderError, match=message):
        remind_time(DUE, choice, now)


def test_the_reminder_text_is_late_only_when_late_and_none_once_the_deadline_passed() -> None:
    on_time = reminder_text(NOTE, S1_NOW, S1_NOW + timedelta(minutes=1))
    assert on_time is not None and "This was due" not in on_time and "What to do: Decline calmly" in on_time
    late = reminder_text(NOTE, S1_NOW, S1_NOW + timedelta(hours=3))
    assert late is not None and f"This was due at <t:{int(S1_NOW.timestamp())}:f>" in late
    assert reminder_text(NOTE, S1_NOW, DUE) is None
    assert ReminderNote.from_payload(NOTE.to_payload()) == NOTE


async def finished_case(wizard: WizardService, user_id: int) -> WizardState:
    state = await wizard.start(user_id, {}, S1_NOW)
    for key, value in s1_answers().items():
        state = await wizard.answer(state, {key: typed(value)}, S1_NOW)
    while (screen := wizard.screen(state)) is not None:  # optional questions S1 leaves blank
        assert all(not question.required for question in screen.questions), screen
        state = await wizard.answer(state, {question.id: "" for question in screen.questions}, S1_NOW)
    return state


async def test_the_pending_reminders_limit_is_the_one_that_fires(db: Database) -> None:
    wizard = WizardService(db, load_flow())
    cases = CaseService(wizard, JobRepository(db))
    state = await finished_case(wizard, 7)
    for minutes in range(MAX_PENDING_PER_USER):
        await cases.set_reminder(state, 0, f"in {minutes + 1} minutes", "Fiverr", S1_NOW)
    with pytest.raises(ReminderError, match=f"You have {MAX_PENDING_PER_USER} reminders waiting already"):
        await cases.set_reminder(state, 0, "6h", "Fiverr", S1_NOW)
    first = (await cases.reminders(7))[0]
    await cases.cancel_reminder(7, first.job_id, S1_NOW)
    await cases.set_reminder(state, 0, "6h", "Fiverr", S1_NOW)  # room again after a cancel
    with pytest.raises(ReminderError, match="already sent or cancelled"):
        await cases.cancel_reminder(8, first.job_id, S1_NOW)  # not bob's, and not pending


async def test_closing_a_case_stores_the_result_and_cancels_its_reminders(db: Database) -> None:
    wizard = WizardService(db, load_flow())
    cases = CaseService(wizard, JobRepository(db))
    state = await finished_case(wizard, 7)
    await cases.set_reminder(state, 0, "6h", "Fiverr", S1_NOW)
    (summary,) = await cases.cases(7, S1_NOW)
    assert summary.open and summary.next_deadline is not None and summary.next_deadline.due == DUE
    assert (summary.platform, summary.amount) == ("Fiverr", "1,500")
    await cases.close(7, state.id, "still_open", None, S1_NOW)
    assert len(await cases.reminders(7, state.id)) == 1  # still open: reminders stay
    await cases.close(7, state.id, "escalated", None, S1_NOW)
    (summary,) = await cases.cases(7, S1_NOW)
    assert not summary.open and summary.result_label.startswith("Escalated")
    assert await cases.reminders(7, state.id) == []
    assert await cases.cases(8, S1_NOW) == []


async def test_every_result_offered_can_be_stored(db: Database) -> None:
    """The labels file and the table's CHECK list name the same results."""
    wizard = WizardService(db, load_flow())
    cases = CaseService(wizard, JobRepository(db))
    state = await finished_case(wizard, 7)
    assert list(RESULTS) == ["completed", "partial_refund", "cancelled", "escalated", "still_open"]
    for result in RESULTS:
        await cases.close(7, state.id, result, "10" if result == "partial_refund" else None, S1_NOW)
        (summary,) = await cases.cases(7, S1_NOW)
        assert summary.result == result
