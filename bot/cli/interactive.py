"""The `try` questionnaire with questionary: arrow keys for choices, defaults, back, inline validation."""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import questionary

from bot.cli.outcome_format import format_markdown, format_text
from bot.config import DEFAULT_DATABASE_PATH
from bot.disputes.engine.answers import parse_answer
from bot.disputes.engine.errors import DisputeDeskError, InvalidAnswer, SessionError
from bot.disputes.engine.flow import Flow, Question, load_flow
from bot.disputes.engine.planner import plan_outcome
from bot.disputes.engine.session import (
    Session,
    applicable_questions,
    default_for,
    go_back,
    next_question,
    record_answer,
    start_session,
)
from bot.disputes.wizard.steps import branching_ids

# Saved outcomes hold the buyer's words: they go under the (git-ignored) data folder.
SAVE_DIR = Path(DEFAULT_DATABASE_PATH).parent / "cases"

BACK = "__back__"
BACK_WORDS = {"<", "back"}


def _display_default(question: Question, value: Any) -> str:
    if value is None:
        return ""
    if question.kind == "yes_no":
        return "yes" if value else "no"
    return ", ".join(value) if isinstance(value, list) else str(value)


def progress(flow: Flow, session: Session) -> str:
    """"(4 of 12)"; just "(2)" while an unanswered question can still lengthen or shorten the path."""
    path = applicable_questions(flow, session.answers)
    answered = sum(1 for question in path if question.id in session.answers)
    unanswered = {question.id for question in path} - set(session.answers)
    if unanswered & branching_ids(flow):
        return f"({answered + 1})"
    return f"({answered + 1} of {len(path)})"


def ask(
    question: Question, session: Session, now: datetime, can_go_back: bool, *, step: str = "", typed: str | None = None
) -> Any:
    """Ask one question; returns the raw answer, BACK, or None when the user pressed Ctrl-C.

    ``typed`` is what the seller typed for this question before going back: shown as they wrote it.
    """
    prompt = f"{step} {question.prompt_for(session.answers)}".strip()
    default = default_for(question, session)
    back = [questionary.Choice("← back", value=BACK)] if can_go_back else []
    instruction = question.help
    if question.kind in {"choice", "yes_no"}:
        if question.kind == "choice":
            choices = [
                questionary.Choice(o.label, value=o.value, description=o.description or None)
                for o in question.options_for(session.answers)
            ]
        else:
            choices = [questionary.Choice("Yes", value=True), questionary.Choice("No", value=False)]
        return questionary.select(
            prompt,
            choices=choices + back,
            instruction=f"({instruction})",
            default=next((choice for choice in choices if choice.value == default), None),
        ).ask()
    if question.kind == "multi_choice":
        choices = [
            questionary.Choice(
                o.label, value=o.value, checked=isinstance(default, list) and o.value in default
            )
            for o in question.options_for(session.answers)
        ]
        return questionary.checkbox(prompt, choices=choices, instruction=f"({instruction})").ask()

    def validate(text: str) -> bool | str:
        if text.strip().lower() in BACK_WORDS and can_go_back:
            return True
        if not text.strip() and not question.required:
            return True
        try:
            parse_answer(question, text, now=now, answers=session.answers)
        except InvalidAnswer as exc:
            return exc.problem  # it already says what to write; `allowed` would repeat it
        return True

    hint = f"{instruction}  (type < to go back)" if can_go_back else instruction
    if question.kind == "long_text":
        hint += "  [Alt+Enter or Esc, Enter to finish]"
    answer = questionary.text(
        f"{prompt}\n  {hint}\n ",
        default=typed if typed is not None else _display_default(question, default),
        validate=validate,
        multiline=question.kind == "long_text",
    ).ask()
    if isinstance(answer, str) and answer.strip().lower() in BACK_WORDS:
        return BACK
    return answer


def questionnaire(flow: Flow, now: datetime) -> Session | None:
    session = start_session(flow, now=now)
    typed: dict[str, str] = {}
    while (question := next_question(flow, session)) is not None:
        raw = ask(
            question,
            session,
            now,
            can_go_back=bool(session.history),
            step=progress(flow, session),
            typed=typed.get(question.id),
        )
        if raw is None:
            return None
        if raw == BACK:
            with contextlib.suppress(SessionError):
                session = go_back(flow, session)
            continue
        try:
            session = record_answer(flow, session, question.id, raw, now=now)
        except InvalidAnswer as exc:
            questionary.print(f"  {exc.problem}", style="fg:red")
            continue
        if isinstance(raw, str):
            typed[question.id] = raw
    return session


def run_interactive(*, now: datetime, stdout: IO[str]) -> int:
    flow = load_flow()
    questionary.print(
        "Dispute Desk — a few minutes of questions; the total shows once your first answers fix it. "
        "Ctrl-C to quit.",
        style="bold",
    )
    session = questionnaire(flow, now)
    if session is None:
        stdout.write("Stopped; nothing was saved.\n")
        return 1
    try:
        outcome = plan_outcome(flow, session, now=now)
    except DisputeDeskError as exc:
        stdout.write(f"{exc}\n")
        return 1
    stdout.write("\n" + format_text(outcome))
    if questionary.confirm("Save everything as a Markdown file?", default=False).ask():
        default_name = SAVE_DIR / f"dispute-{outcome.case.replace('/', '-')}-{now:%Y%m%d-%H%M}.md"
        name = questionary.text("File name:", default=str(default_name)).ask()
        if name:
            target = Path(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(format_markdown(outcome), encoding="utf-8")
            stdout.write(f"Saved to {target}\n")
    return 0
