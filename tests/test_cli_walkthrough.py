"""The terminal walk-through (`make try`), driven through prompt_toolkit's pipe input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.output import DummyOutput

from bot.cli.interactive import ask, progress
from bot.cli.outcome_format import format_markdown
from bot.disputes.engine.flow import Flow
from bot.disputes.engine.planner import plan_outcome
from bot.disputes.engine.session import record_answer, session_from_answers, start_session
from tests.engine_fixtures import S1_NOW


@pytest.fixture
def keyboard() -> Iterator[PipeInput]:
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe


def test_going_back_shows_the_answer_as_it_was_typed(flow: Flow, s1_answers: dict, keyboard: PipeInput) -> None:
    session = start_session(flow, now=S1_NOW)
    for question_id in ("platform", "dispute_type"):
        session = record_answer(flow, session, question_id, s1_answers[question_id], now=S1_NOW)
    question = flow.question("delivered_at")
    assert question is not None
    keyboard.send_text("\r")  # accept what is pre-filled
    assert ask(question, session, S1_NOW, can_go_back=True, typed="10 days ago") == "10 days ago"


def test_progress_gives_a_total_only_once_the_path_is_fixed(flow: Flow, s1_answers: dict) -> None:
    session = start_session(flow, now=S1_NOW)
    assert progress(flow, session) == "(1)"
    for question_id in ("platform", "dispute_type"):
        session = record_answer(flow, session, question_id, s1_answers[question_id], now=S1_NOW)
    number, total = progress(flow, session).strip("()").split(" of ")
    assert number == "3" and int(total) > 3


def test_saved_markdown_lists_pros_and_cons_in_words(flow: Flow, s1_answers: dict) -> None:
    outcome = plan_outcome(flow, session_from_answers(flow, s1_answers, now=S1_NOW), now=S1_NOW)
    text = format_markdown(outcome)
    assert "- For: " in text and "- Against: " in text
    assert "- + " not in text and "- − " not in text
