"""Arbitrary answers: the engine accepts them or raises a domain error, nothing else."""

import contextlib
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.disputes.engine.errors import DisputeDeskError
from bot.disputes.engine.flow import load_flow
from bot.disputes.engine.planner import plan_outcome
from bot.disputes.engine.session import next_question, record_answer, session_from_answers, start_session
from bot.rendering import split_message

FLOW = load_flow()
IDS = [question.id for question in FLOW.questions]
OPTION_VALUES = sorted({o.value for q in FLOW.questions for o in q.options})
raw_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**9), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=60),
    st.sampled_from(OPTION_VALUES),
    st.sampled_from(
        ["1,500", "$1.5k", "30 hours ago", "2026-11-27 14:00", "yes", "no", "EUR", "https://example.com"]
    ),
    st.lists(st.sampled_from(OPTION_VALUES), max_size=3),
)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@given(answers=st.dictionaries(st.sampled_from([*IDS, "bogus"]), raw_values, max_size=20), now=moments)
def test_scripted_answers_never_crash(answers: dict, now: datetime) -> None:
    try:
        session = session_from_answers(FLOW, answers, now=now)
        plan_outcome(FLOW, session, now=now)
    except DisputeDeskError:
        pass


@given(data=st.data(), now=moments)
def test_stepwise_answers_never_crash(data: st.DataObject, now: datetime) -> None:
    session = start_session(FLOW, now=now)
    for _ in range(40):
        question = next_question(FLOW, session)
        if question is None:
            plan_outcome(FLOW, session, now=now)  # a complete session always plans
            return
        options = [o.value for o in question.options_for(session.answers)]
        raw = data.draw(st.one_of(raw_values, st.sampled_from(options)) if options else raw_values)
        with contextlib.suppress(DisputeDeskError):
            session = record_answer(FLOW, session, question.id, raw, now=now)


@given(st.text(max_size=5000), st.integers(1, 300))
def test_split_message_respects_limit_and_keeps_words(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    assert all(0 < len(part) <= limit for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())
