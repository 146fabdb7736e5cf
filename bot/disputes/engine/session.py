"""The pure engine API over a questionnaire session: start, next question, answer, back, jump.

A ``Session`` is an immutable value; every operation returns a new one. ``to_dict()`` /
``Session.from_dict()`` give a plain JSON-able dict (answers keyed by question id) so that a
front end can store it and resume it later. The clock is always a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from bot.disputes.engine.answers import AnswerValue, allowed_text, parse_answer
from bot.disputes.engine.errors import InvalidAnswer, InvalidAnswers, SessionError
from bot.disputes.engine.flow import Flow, Question
from bot.disputes.engine.parsing import parse_money

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Session:
    """Answers so far, the order they were given in, and earlier answers kept as defaults."""

    flow_version: int
    started_at: datetime
    answers: Mapping[str, AnswerValue | None] = field(default_factory=lambda: _EMPTY)
    history: tuple[str, ...] = ()
    previous: Mapping[str, AnswerValue | None] = field(default_factory=lambda: _EMPTY)

    def to_dict(self) -> dict[str, Any]:
        """A plain JSON-able dict; ``Session.from_dict`` reads it back."""
        return {
            "flow_version": self.flow_version,
            "started_at": self.started_at.isoformat(),
            "answers": {key: _copy(value) for key, value in self.answers.items()},
            "history": list(self.history),
            "previous": {key: _copy(value) for key, value in self.previous.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], flow: Flow) -> Session:
        """Rebuild a stored session, re-validating every answer against the current flow."""
        try:
            started = datetime.fromisoformat(str(data["started_at"]))
            answers = dict(data.get("answers", {}))
            history = tuple(str(item) for item in data.get("history", []))
            previous = dict(data.get("previous", {}))
        except (KeyError, TypeError, ValueError) as exc:
            raise SessionError(f"stored session is malformed: {exc}") from None
        if started.tzinfo is None:
            started = started.replace(tzinfo=UTC)
        checked: dict[str, AnswerValue | None] = {}
        for key, value in answers.items():
            question = flow.question(key)
            if question is None:
                continue  # the flow changed since: drop answers to removed questions
            if value is None and not question.required:
                checked[key] = None
                continue
            try:
                checked[key] = parse_answer(question, value, now=started, answers=checked).value
            except InvalidAnswer:
                continue
        session = cls(
            flow.version,
            started,
            MappingProxyType(checked),
            tuple(item for item in history if item in checked),
            MappingProxyType({k: v for k, v in previous.items() if flow.question(k)}),
        )
        return _prune(flow, session)


def _copy(value: AnswerValue | None) -> AnswerValue | None:
    return list(value) if isinstance(value, list) else value


def start_session(flow: Flow, *, now: datetime) -> Session:
    """A new, empty session."""
    return Session(flow_version=flow.version, started_at=now)


def applicable_questions(flow: Flow, answers: Mapping[str, Any]) -> list[Question]:
    """The questions on the path given these answers, in asking order."""
    return list(flow.path(answers))


def next_question(flow: Flow, session: Session) -> Question | None:
    """The next question to ask, or None when the questionnaire is complete."""
    for question in applicable_questions(flow, session.answers):
        if question.id not in session.answers:
            return question
    return None


def next_page(flow: Flow, session: Session) -> list[Question]:
    """The next question and the unanswered questions on the same page (at most 5, one modal)."""
    first = next_question(flow, session)
    if first is None:
        return []
    return [
        question
        for question in applicable_questions(flow, session.answers)
        if question.page == first.page and question.id not in session.answers
    ]


def is_complete(flow: Flow, session: Session) -> bool:
    return next_question(flow, session) is None


def default_for(question: Question, session: Session) -> AnswerValue | None:
    """What to pre-fill: the answer given before going back, else the flow's default."""
    if question.id in session.previous:
        return session.previous[question.id]
    default: AnswerValue | None = question.default
    return default


def _prune(flow: Flow, session: Session) -> Session:
    """Drop answers to questions that are no longer on the path (repeat until stable)."""
    answers = dict(session.answers)
    while True:
        on_path = {question.id for question in applicable_questions(flow, answers)}
        stale = [key for key in answers if key not in on_path]
        if not stale:
            break
        for key in stale:
            del answers[key]
    history = tuple(item for item in session.history if item in answers)
    return replace(session, answers=MappingProxyType(answers), history=history)


def record_answer(flow: Flow, session: Session, question_id: str, raw: Any, *, now: datetime) -> Session:
    """Validate and record an answer; raise InvalidAnswer (a domain error) naming the problem."""
    question = flow.question(question_id)
    if question is None:
        raise InvalidAnswer(question_id, "there is no such question", "the ids of `draft --schema`")
    if not question.condition.holds(session.answers):
        raise InvalidAnswer(question_id, "this question does not apply to the answers so far")
    answers = dict(session.answers)
    if (raw is None or raw == "") and not question.required:
        answers[question_id] = None  # skipped: answered, with nothing
    else:
        parsed = parse_answer(question, raw, now=now, answers=session.answers)
        answers[question_id] = parsed.value
        for key, value in parsed.implied.items():
            implied_question = flow.question(key)
            if implied_question is not None and implied_question.condition.holds(answers):
                answers[key] = value
    history = (*tuple(item for item in session.history if item != question_id), question_id)
    previous = {k: v for k, v in session.previous.items() if k != question_id}
    updated = replace(session, answers=MappingProxyType(answers), history=history, previous=MappingProxyType(previous))
    return _prune(flow, updated)


def go_back(flow: Flow, session: Session) -> Session:
    """Undo the most recent answer; it becomes the default of the question asked again."""
    if not session.history:
        raise SessionError("there is no earlier question to go back to")
    last = session.history[-1]
    return _unanswer(flow, session, last)


def jump_to(flow: Flow, session: Session, question_id: str) -> Session:
    """Re-open question X for editing, keeping later answers that stay relevant ("Edit answers")."""
    if question_id not in session.answers:
        raise SessionError(f"{question_id!r} has not been answered, so it cannot be edited")
    return _unanswer(flow, session, question_id)


def _unanswer(flow: Flow, session: Session, question_id: str) -> Session:
    answers = dict(session.answers)
    previous = {**session.previous, question_id: answers.pop(question_id)}
    history = tuple(item for item in session.history if item != question_id)
    return replace(session, answers=MappingProxyType(answers), history=history, previous=MappingProxyType(previous))


def currency_conflicts(flow: Flow, given: Mapping[str, Any]) -> list[str]:
    """Amounts written with a currency that contradicts the currency answer (a warning: the answer wins).

    Without a currency answer (Fiverr and Upwork do not ask: their orders are in US dollars) amounts
    are shown in USD, so "€150" there is a conflict too.
    """
    chosen = str(given.get("currency") or "").strip().upper() or "USD"
    conflicts = []
    for question in flow.questions:
        raw = given.get(question.id)
        if question.kind != "money" or not isinstance(raw, str):
            continue
        try:
            named = parse_money(raw).currency
        except ValueError:
            continue
        if named and named != chosen:
            conflicts.append(
                f"{question.id} was written as {raw!r} ({named}) but the currency is {chosen}: "
                f"the amount is shown in {chosen}; check which one you meant."
            )
    return conflicts


def session_from_answers(flow: Flow, given: Mapping[str, Any], *, now: datetime, use_defaults: bool = True) -> Session:
    """Build a complete session from a mapping (scripts); raise InvalidAnswers listing every problem.

    Questions not on the path are ignored; missing answers take the flow's default when
    ``use_defaults``; an unknown id or a missing required answer is a problem.
    """
    problems: list[InvalidAnswer] = [
        InvalidAnswer(key, "unknown question id", "the ids listed by `draft --schema`")
        for key in given
        if flow.question(key) is None
    ]
    answers: dict[str, AnswerValue | None] = {}
    history: list[str] = []
    for question in flow.questions:
        if not question.condition.holds(answers):
            continue
        raw = given.get(question.id)
        if raw is None or raw == "":
            if question.id in answers:
                continue  # implied by an earlier answer (a currency written with the amount)
            if use_defaults and question.default is not None:
                raw = question.default
            elif question.required:
                problems.append(InvalidAnswer(question.id, "missing", allowed_text(question, answers)))
                continue
            else:
                answers[question.id] = None
                continue
        try:
            parsed = parse_answer(question, raw, now=now, answers=answers)
        except InvalidAnswer as exc:
            problems.append(exc)
            continue
        answers[question.id] = parsed.value
        history.append(question.id)
        for key, value in parsed.implied.items():
            if key not in given and flow.question(key) is not None:
                answers[key] = value
    if problems:
        raise InvalidAnswers(problems)
    return Session(flow.version, now, MappingProxyType(answers), tuple(history))
