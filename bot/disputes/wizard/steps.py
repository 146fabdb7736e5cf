"""What the wizard shows next, decided from the engine's flow and session: a choice or a form.

A *screen* is one question with choices (buttons or a select) or a run of up to five typed fields
of one page (a modal). Step numbers count screens on the current path, so "Step 3 of 7" stays
honest as answers open or close branches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.discord_limits import MODAL_FIELDS
from bot.disputes.engine.flow import Flow, Option, Question
from bot.disputes.engine.session import Session, applicable_questions, default_for

CHOICE_KINDS = frozenset({"choice", "multi_choice", "yes_no"})
MAX_BUTTONS = 5  # one row of buttons; more options go in a select
YES_NO = (Option("yes", "Yes"), Option("no", "No"))
# Answered by the wizard itself with the seller's default (see WizardService): not counted as steps.
SELF_ANSWERED = frozenset({"tone", "signature_name", "signature_sign_off"})


@dataclass(frozen=True)
class Screen:
    kind: Literal["choice", "form"]
    questions: tuple[Question, ...]
    number: int
    total: int
    final_total: bool = True  # False while an unanswered question can still open or close branches

    @property
    def first(self) -> Question:
        return self.questions[0]

    @property
    def progress(self) -> str:
        return f"Step {self.number} of {self.total}" if self.final_total else f"Step {self.number}"


def _screens(questions: Sequence[Question]) -> list[tuple[Question, ...]]:
    """Group questions in asking order: each choice alone, runs of typed fields of one page together."""
    screens: list[tuple[Question, ...]] = []
    run: list[Question] = []
    for question in questions:
        if question.kind in CHOICE_KINDS:
            if run:
                screens.append(tuple(run))
                run = []
            screens.append((question,))
            continue
        if run and (run[0].page != question.page or len(run) == MODAL_FIELDS):
            screens.append(tuple(run))
            run = []
        run.append(question)
    if run:
        screens.append(tuple(run))
    return screens


def current_screen(flow: Flow, session: Session) -> Screen | None:
    """The screen to show now, or None when every question is answered."""
    path = applicable_questions(flow, session.answers)
    unanswered = [question for question in path if question.id not in session.answers]
    if not unanswered:
        return None
    first = unanswered[0]
    screens = _screens([question for question in path if question.id not in SELF_ANSWERED])
    answered = sum(1 for screen in screens if all(q.id in session.answers for q in screen))
    number = min(answered + 1, len(screens))
    final = not any(question.id in branching_ids(flow) for question in unanswered)
    if first.kind in CHOICE_KINDS:
        return Screen("choice", (first,), number, len(screens), final)
    fields: list[Question] = []
    for question in unanswered:
        if question.page != first.page:
            continue
        if question.kind in CHOICE_KINDS or len(fields) == MODAL_FIELDS:
            break
        fields.append(question)
    return Screen("form", tuple(fields), number, len(screens), final)


def branching_ids(flow: Flow) -> frozenset[str]:
    """Answers that decide which questions (or options) apply: the path is known once they are."""
    known = _BRANCHING.get(id(flow))
    if known is None or known[0] is not flow:
        keys: set[str] = set()
        for question in flow.questions:
            keys |= question.condition.keys
            for option in question.options:
                keys |= option.condition.keys
        known = _BRANCHING[id(flow)] = (flow, frozenset(keys))
    return known[1]


# Flows hold mapping proxies, so they are not hashable: remember by identity (a flow lives long).
_BRANCHING: dict[int, tuple[Flow, frozenset[str]]] = {}


def options_of(question: Question, answers: Mapping[str, Any]) -> tuple[Option, ...]:
    """The options to offer: yes/no questions get two."""
    if question.kind == "yes_no":
        return YES_NO
    return question.options_for(answers)


def prefill(question: Question, session: Session, profile_values: Mapping[str, str]) -> str:
    """The text to put in a field or the option to highlight: earlier answer, profile, flow default."""
    if question.id in session.previous and session.previous[question.id] is not None:
        value: Any = session.previous[question.id]
    elif question.id in PROFILE_DEFAULTS and profile_values.get(PROFILE_DEFAULTS[question.id]):
        value = profile_values[PROFILE_DEFAULTS[question.id]]
    else:
        value = default_for(question, session)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


# Questions whose default comes from the seller profile (question id -> profile field).
PROFILE_DEFAULTS = {
    "platform": "default_platform",
    "currency": "currency",
    "tone": "default_tone",
    "extra_price": "revision_price",
}
