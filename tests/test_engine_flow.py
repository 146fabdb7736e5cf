"""The whole flow against Discord's limits, and every reachable path rendered in every tone.

Paths are generated from the flow data (`bot.disputes.engine.paths.explore`): every option of every choice
and yes/no question is explored; free-form answers take representative values chosen to exercise
each numeric or date rule of the planner (see `paths.SAMPLES`); the tone is fixed during the
walk because every draft is rendered in all three tones for each outcome.
"""

from collections import Counter

import pytest

from bot.discord_limits import MODAL_FIELDS
from bot.disputes.engine.checks import numbers_in
from bot.disputes.engine.errors import FlowError
from bot.disputes.engine.flow import (
    MAX_HELP,
    MAX_OPTION_DESCRIPTION,
    MAX_OPTION_LABEL,
    MAX_OPTIONS,
    MAX_PAGES_PER_PATH,
    MAX_PROMPT,
    Flow,
    parse_flow,
)
from bot.disputes.engine.paths import explore, shape
from tests.engine_fixtures import S1_NOW, TYPES

PLATFORMS = {"fiverr", "upwork", "freelancer", "peopleperhour", "direct", "other"}
SCRIPT_IDS = {
    "platform",
    "dispute_type",
    "order_state",
    "order_value",
    "currency",
    "request_received_at",
    "delivered_at",
    "revisions_included",
    "revisions_used",
    "out_of_scope_work_done",
    "buyer_message",
    "goal",
    "tone",
    "extra_price",
    "payment_processor",
}


def test_every_label_fits_discord(flow: Flow) -> None:
    for question in flow.questions:
        assert 0 < len(question.prompt) <= MAX_PROMPT, question.id
        assert all(len(p) <= MAX_PROMPT for p in question.prompt_by_type.values()), question.id
        assert len(question.help) <= MAX_HELP, question.id
        assert len(question.options) <= MAX_OPTIONS
        for option in question.options:
            assert len(option.label) <= MAX_OPTION_LABEL
            assert len(option.description) <= MAX_OPTION_DESCRIPTION


def test_script_ids_and_values(flow: Flow) -> None:
    assert set(flow.by_id) >= SCRIPT_IDS
    values = {
        qid: {o.value for o in flow.by_id[qid].options}
        for qid in ("platform", "dispute_type", "goal", "tone", "payment_processor")
    }
    assert values["platform"] == PLATFORMS
    assert values["dispute_type"] == TYPES
    assert values["goal"] == {"get_paid_in_full", "keep_rating", "end_amicably", "minimise_time"}
    assert values["tone"] == {"friendly", "neutral", "firm"}
    assert values["payment_processor"] == {"paypal", "stripe", "bank", "other"}


def test_paths_cover_every_type_on_its_platforms_and_stay_short(flow: Flow) -> None:
    cases = Counter()
    for answers in explore(flow, now=S1_NOW):
        cases[(answers["platform"], answers["dispute_type"])] += 1
        path = shape(flow, answers)
        assert path.pages <= MAX_PAGES_PER_PATH
        assert path.largest_page <= MODAL_FIELDS
    assert {case[1] for case in cases} == TYPES
    assert {case[0] for case in cases} == PLATFORMS
    assert ("fiverr", "cancellation_after_delivery") in cases
    assert ("upwork", "hourly_dispute") in cases
    assert ("direct", "late_payment") in cases


@pytest.mark.parametrize(
    ("mutation", "problem"),
    [
        ({"prompt": "x" * 46}, "Discord allows 45"),
        ({"kind": "colour"}, "kind 'colour'"),
        ({"when": {"nothing": ["a"]}}, "not an earlier question"),
        ({"options": [{"value": "a", "label": "A"}]}, "2 to 25 options"),
    ],
)
def test_invalid_flows_are_rejected_with_the_problem(mutation: dict, problem: str) -> None:
    base = {
        "id": "q",
        "page": "q",
        "kind": "choice",
        "prompt": "Q?",
        "help": "h",
        "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
    }
    with pytest.raises(FlowError) as caught:
        parse_flow({"questions": [{**base, **mutation}]})
    assert problem in str(caught.value)


def test_numbers_in_ignores_wording() -> None:
    assert numbers_in("Pay $1,500 in 3 days") == numbers_in("Kindly: 3 days, $1,500")
