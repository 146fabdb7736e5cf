import json

import pytest

from bot.disputes.engine.errors import InvalidAnswer, SessionError
from bot.disputes.engine.flow import Flow
from bot.disputes.engine.planner import plan_outcome
from bot.disputes.engine.session import (
    Session,
    go_back,
    is_complete,
    jump_to,
    next_page,
    next_question,
    record_answer,
    session_from_answers,
    start_session,
)
from tests.engine_fixtures import S1_NOW


def answer_all(flow: Flow, answers: dict) -> Session:
    session = start_session(flow, now=S1_NOW)
    while (question := next_question(flow, session)) is not None:
        session = record_answer(
            flow, session, question.id, answers.get(question.id, question.default), now=S1_NOW
        )
    return session


def test_interactive_path_matches_scripted(flow: Flow, s1_answers: dict) -> None:
    stepwise = answer_all(flow, s1_answers)
    scripted = session_from_answers(flow, s1_answers, now=S1_NOW)
    assert dict(stepwise.answers) == dict(scripted.answers)
    assert plan_outcome(flow, stepwise, now=S1_NOW) == plan_outcome(flow, scripted, now=S1_NOW)


def test_invalid_answer_names_the_question(flow: Flow) -> None:
    session = start_session(flow, now=S1_NOW)
    with pytest.raises(InvalidAnswer) as caught:
        record_answer(flow, session, "platform", "ebay", now=S1_NOW)
    assert caught.value.question_id == "platform" and "fiverr" in str(caught.value)


def test_back_restores_previous_answer_as_default(flow: Flow) -> None:
    session = start_session(flow, now=S1_NOW)
    with pytest.raises(SessionError):
        go_back(flow, session)
    session = record_answer(flow, session, "platform", "fiverr", now=S1_NOW)
    session = go_back(flow, session)
    assert next_question(flow, session).id == "platform"
    assert session.previous["platform"] == "fiverr"


def test_jump_keeps_later_answers_that_stay_relevant(flow: Flow, s1_answers: dict) -> None:
    session = session_from_answers(flow, s1_answers, now=S1_NOW)
    edited = jump_to(flow, session, "order_value")
    assert next_question(flow, edited).id == "order_value"
    edited = record_answer(flow, edited, "order_value", "2000", now=S1_NOW)
    assert is_complete(flow, edited) and edited.answers["buyer_message"] == s1_answers["buyer_message"]
    # changing the dispute type drops the answers that no longer apply
    retyped = record_answer(
        flow, jump_to(flow, session, "dispute_type"), "dispute_type", "scope_creep", now=S1_NOW
    )
    assert "revisions_used" not in retyped.answers and "agreed_scope" in retyped.answers
    assert next_question(flow, retyped).id == "new_items"


def test_roundtrip_through_json(flow: Flow, s1_answers: dict) -> None:
    session = jump_to(flow, session_from_answers(flow, s1_answers, now=S1_NOW), "goal")
    stored = json.loads(json.dumps(session.to_dict()))
    assert Session.from_dict(stored, flow) == session


def test_next_page_groups_short_fields(flow: Flow, s1_answers: dict) -> None:
    session = start_session(flow, now=S1_NOW)
    for key in ("platform", "dispute_type", "order_state"):
        session = record_answer(flow, session, key, s1_answers[key], now=S1_NOW)
    assert [q.id for q in next_page(flow, session)] == ["complaint_about"]  # a choice: a screen of its own
    session = record_answer(flow, session, "complaint_about", "taste", now=S1_NOW)
    # on Fiverr the latest delivery (optional) tells whether the order had completed by itself
    assert [q.id for q in next_page(flow, session)] == ["delivered_at", "last_delivery_at", "request_received_at"]


def test_money_text_implies_currency(flow: Flow) -> None:
    session = start_session(flow, now=S1_NOW)
    for key, value in (("platform", "direct"), ("dispute_type", "deposit_refund")):
        session = record_answer(flow, session, key, value, now=S1_NOW)
    session = record_answer(flow, session, "order_value", "€3,000", now=S1_NOW)
    assert session.answers["currency"] == "EUR"
