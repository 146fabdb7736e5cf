"""`check` validates the playbooks: each test breaks one playbook and asserts which rule fired."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import pytest

from bot.disputes.engine.checks import check_outcomes
from bot.disputes.engine.context import build_context
from bot.disputes.engine.errors import FlowError
from bot.disputes.engine.facts import load_facts
from bot.disputes.engine.flow import load_flow, parse_flow
from bot.disputes.engine.planner import prepare
from bot.disputes.engine.platforms import load_platforms
from bot.disputes.engine.playbook import Playbooks, load_playbooks, parse_playbooks, read_playbook_files
from bot.disputes.engine.playbook_checks import Problem, validate_playbooks
from bot.disputes.engine.session import session_from_answers

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
FILES = read_playbook_files()


def edited(file: str, change: Any) -> Playbooks:
    """The real playbooks with one file changed by ``change(data)``."""
    files = copy.deepcopy(FILES)
    change(files[file])
    return parse_playbooks(files)


def static_rules(playbooks: Playbooks) -> set[str]:
    problems = validate_playbooks(playbooks, load_flow(), load_facts(), load_platforms())
    return {problem.rule for problem in problems}


def walk_problems(playbooks: Playbooks, dispute_type: str) -> list[Problem]:
    report = check_outcomes(load_flow(), now=NOW, playbooks=playbooks, dispute_types=[dispute_type], render=False)
    return list(report.playbook_problems)


def option(data: dict[str, Any], option_id: str) -> dict[str, Any]:
    return next(item for item in data["options"] if item["id"] == option_id)


def test_the_real_playbooks_pass_every_static_rule() -> None:
    assert validate_playbooks(load_playbooks(), load_flow(), load_facts(), load_platforms()) == []


def test_unknown_fact() -> None:
    broken = edited("scope_creep.toml", lambda d: d.setdefault("caveats", []).append("See {fact:fiverr.no_such_rule}."))
    assert static_rules(broken) == {"unknown-fact"}


def test_a_deadline_needs_a_duration_fact() -> None:
    def change(data: dict[str, Any]) -> None:
        data["deadlines"][0]["fact"] = "fiverr.taste_not_grounds"  # a text fact, not a duration

    assert static_rules(edited("cancellation_after_delivery.toml", change)) == {"unknown-fact"}


def test_condition_on_an_answer_this_type_never_has() -> None:
    def change(data: dict[str, Any]) -> None:
        option(data, "small_goodwill")["when"] = {"escrow_state": ["no_response"]}  # an escrow question

    broken = edited("scope_creep.toml", change)
    problems = validate_playbooks(broken, load_flow(), load_facts(), load_platforms())
    assert [p.rule for p in problems] == ["unknown-answer"]
    assert "escrow_state" in problems[0].message and "scope_creep.toml" in problems[0].where


def test_text_naming_a_value_this_type_never_has() -> None:
    broken = edited("scope_creep.toml", lambda d: d.__setitem__("summary", "Quote {milestone_amount}."))
    assert static_rules(broken) == {"unknown-answer"}


def test_condition_on_a_value_the_answer_never_takes() -> None:
    def change(data: dict[str, Any]) -> None:
        option(data, "small_goodwill")["when"] = {"platform": ["myspace"]}

    assert static_rules(edited("scope_creep.toml", change)) == {"unknown-value"}


def test_unknown_goal_duplicate_option_and_missing_template() -> None:
    def change(data: dict[str, Any]) -> None:
        option(data, "small_goodwill")["goals"] = ["get_rich"]
        data["options"].append(copy.deepcopy(option(data, "quote_extra")))
        data["drafts"].append({"id": "poem_for_the_buyer", "title": "A poem", "audience": "buyer"})

    assert static_rules(edited("scope_creep.toml", change)) == {"unknown-goal", "duplicate-id", "unknown-draft"}


def test_unknown_calculator_and_structure_errors() -> None:
    assert static_rules(edited("scope_creep.toml", lambda d: d.__setitem__("calculators", ["magic"]))) == {
        "unknown-calculator"
    }
    with pytest.raises(FlowError, match=r"scope_creep.toml: option quote_extra: unknown keys \['price'\]"):
        edited("scope_creep.toml", lambda d: option(d, "quote_extra").__setitem__("price", 5))
    with pytest.raises(FlowError, match="audience 'everyone'"):
        edited("scope_creep.toml", lambda d: d["drafts"][0].__setitem__("audience", "everyone"))


def test_a_template_no_playbook_offers() -> None:
    def change(data: dict[str, Any]) -> None:
        data["drafts"] = [draft for draft in data["drafts"] if draft["id"] != "evidence_index"]

    broken = edited("chargeback.toml", change)
    problems = validate_playbooks(broken, load_flow(), load_facts(), load_platforms())
    assert [(p.rule, p.where) for p in problems] == [("draft-never-offered", "templates/drafts/evidence_index.j2")]


def test_option_never_reachable() -> None:
    def change(data: dict[str, Any]) -> None:
        # 'cancelled' is an order state, but the flow offers it for reviews only
        option(data, "capped_offer")["when"] = {"order_state": ["cancelled"]}

    broken = edited("partial_refund_demand.toml", change)
    assert static_rules(broken) == set()
    problems = walk_problems(broken, "partial_refund_demand")
    unreachable = [p for p in problems if p.rule == "unreachable-option"]
    assert [p.where for p in unreachable] == ["partial_refund_demand.toml: option capped_offer"]
    # ... and without it no option serves 'end on good terms' where a refund could be offered
    assert {p.rule for p in problems} == {"unreachable-option", "no-option-for-goal"}


def test_draft_never_offered() -> None:
    def change(data: dict[str, Any]) -> None:
        data["drafts"][1]["when"] = {"out_of_scope_work_done": [True], "revisions_exhausted": ["maybe"]}

    broken = edited("revision_loop.toml", change)
    problems = walk_problems(broken, "revision_loop")
    assert [p.rule for p in problems] == ["draft-never-offered"]
    assert problems[0].where.endswith("draft last_revision_and_extras")


def test_a_goal_without_a_recommended_option() -> None:
    broken = edited("scope_creep.toml", lambda d: option(d, "decline_new_work").__setitem__("goals", []))
    problems = walk_problems(broken, "scope_creep")
    assert problems and {p.rule for p in problems} == {"no-option-for-goal"}
    assert all("'minimise_time'" in p.message for p in problems)


def test_context_names_come_from_the_question_kinds() -> None:
    flow = parse_flow(
        {
            "questions": [
                {
                    "id": "platform",
                    "kind": "choice",
                    "prompt": "P",
                    "help": "h",
                    "page": "a",
                    "options": [{"value": "fiverr", "label": "Fiverr"}, {"value": "direct", "label": "Direct"}],
                },
                {
                    "id": "dispute_type",
                    "kind": "choice",
                    "prompt": "T",
                    "help": "h",
                    "page": "b",
                    "options": [{"value": "scope_creep", "label": "S"}, {"value": "chargeback", "label": "C"}],
                },
                {"id": "tip", "kind": "money", "prompt": "Tip", "help": "h", "page": "c"},
                {"id": "met_on", "kind": "datetime", "prompt": "Met", "help": "h", "page": "c"},
                {
                    "id": "goal",
                    "kind": "choice",
                    "prompt": "G",
                    "help": "h",
                    "page": "d",
                    "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
                },
                {
                    "id": "tone",
                    "kind": "choice",
                    "prompt": "T",
                    "help": "h",
                    "page": "d",
                    "options": [{"value": "neutral", "label": "N"}, {"value": "firm", "label": "F"}],
                },
            ]
        }
    )
    answers = {"platform": "fiverr", "dispute_type": "scope_creep", "tip": 12.5, "met_on": "2026-11-02T08:30:00+00:00"}
    context = build_context(flow, answers, load_facts(), load_platforms(), NOW)
    assert context["tip"] == "$12.50" and context["tip_amount"] == 12.5
    assert context["met_on_on"] == "2 Nov 2026" and context["met_on_time"] == "2 Nov 2026, 08:30 UTC"
    assert isinstance(context, MappingProxyType)


def test_planning_writes_nothing_back(s1_answers: dict[str, Any]) -> None:
    flow = load_flow()
    session = session_from_answers(flow, s1_answers, now=NOW)
    first = prepare(flow, session, now=NOW)
    second = prepare(flow, session, now=NOW)
    assert isinstance(first.context, MappingProxyType) and isinstance(first.answers, MappingProxyType)
    assert dict(first.context) == dict(second.context) and first.plan == second.plan
    with pytest.raises(TypeError):
        first.context["refund_cap"] = "$1"  # type: ignore[index]


def test_no_buyer_draft_states_the_refund_cap_or_the_sellers_most() -> None:
    from bot.disputes.engine.checks import buyer_draft_problems

    context = {"refund_cap": "$900", "max_refund": "$300", "refund_offer": "$180", "order_value": "$1,500"}
    leaking = "I can send you a partial refund through the order page (up to $900)."
    rules = buyer_draft_problems(leaking, "buyer", "fiverr", context, ["refund_cap", "max_refund"])
    assert [(r.rule, r.found) for r in rules] == [("seller-only-amount", "refund_cap $900")]
    assert buyer_draft_problems("I could go to $300 at most.", "buyer", "upwork", context, ["max_refund"])
    # the offer itself may be stated; support may read the cap
    assert buyer_draft_problems("I can refund $180 of the $1,500.", "buyer", "fiverr", context, ["refund_cap"]) == []
    assert buyer_draft_problems(leaking, "support", "fiverr", context, ["refund_cap"]) == []
    # the same amount as a figure the draft may state is not a leak (the seller's most equals the ask)
    same = {"max_refund": "$300", "refund_asked": "$300"}
    assert buyer_draft_problems("You asked for $300 back.", "buyer", "upwork", same, ["max_refund"]) == []


def test_no_review_talk_to_a_fiverr_buyer_and_no_change_invitation_before_auto_release() -> None:
    from bot.disputes.engine.checks import buyer_draft_problems

    rules = buyer_draft_problems("A 5-star review would help.", "buyer", "fiverr", {}, [])
    assert {r.rule for r in rules} == {"review-talk-on-fiverr"}
    running = {"auto_release_running": True}
    text = "If something needs fixing, tell me what and I'll fix it; otherwise please release the milestone."
    assert [r.rule for r in buyer_draft_problems(text, "buyer", "upwork", running, [])] == [
        "change-invitation-before-auto-release"
    ]
    assert buyer_draft_problems(text, "buyer", "upwork", {"auto_release_running": False}, []) == []
    assert buyer_draft_problems("Could you release the milestone?", "buyer", "upwork", running, []) == []


def test_no_free_work_promised_in_a_public_reply() -> None:
    from bot.disputes.engine.checks import buyer_draft_problems

    promise = "I'm always happy to make corrections to delivered work at no cost."
    assert [(r.rule, r.found) for r in buyer_draft_problems(promise, "public", "upwork", {}, [])] == [
        ("free-work-in-public", "at no cost")
    ]
    # the same offer in a private message to the buyer is fine; a public offer to help is too
    assert buyer_draft_problems(promise, "buyer", "upwork", {}, []) == []
    help_offer = "If anything in the delivered work needs attention, just send me a message."
    assert buyer_draft_problems(help_offer, "public", "fiverr", {}, []) == []


def test_no_stock_phrase_to_a_buyer() -> None:
    from bot.disputes.engine.checks import buyer_draft_problems

    text = "I'm sorry communication felt slow to you. As per our agreement, kindly send the list."
    assert [r.found for r in buyer_draft_problems(text, "buyer", "upwork", {}, [])] == ["felt slow", "As per", "kindly"]
    assert buyer_draft_problems(text, "support", "upwork", {}, []) == []
    plain = "I'm sorry my replies were slower than you needed. Could you send the list?"
    assert buyer_draft_problems(plain, "buyer", "upwork", {}, []) == []


def test_a_playbook_key_written_below_values_is_refused_with_how_to_fix_it() -> None:
    def change(data: dict[str, Any]) -> None:
        data.setdefault("values", {})["caveats"] = ["Start only once paid."]

    with pytest.raises(FlowError, match=r"'caveats' is a playbook key: .* write caveats above \[values\]"):
        edited("scope_creep.toml", change)


def test_giving_in_to_a_threat_is_never_recommended() -> None:
    def change(data: dict[str, Any]) -> None:  # the content before the review: give in to save time
        option(data, "scope_reply_and_report")["goals"] = ["get_paid_in_full", "keep_rating", "end_amicably"]
        option(data, "give_in")["goals"] = ["minimise_time"]

    problems = walk_problems(edited("leverage_threat.toml", change), "leverage_threat")
    assert {p.rule for p in problems} == {"gives-in-recommended"}
    assert all(p.where.endswith("option give_in") and "'minimise_time'" in p.message for p in problems)


def test_a_draft_offered_only_for_some_goals_is_walked() -> None:
    # The concession message depends on the goal through a [values] entry (`concessions`): the walk
    # takes every goal for such a type, so the draft is offered and rendered, not reported as never offered.
    report = check_outcomes(load_flow(), now=NOW, dispute_types=["hourly_dispute"], render=False)
    assert [p for p in report.playbook_problems if p.rule == "draft-never-offered"] == []


def test_an_instruction_in_brackets_is_refused_but_an_unasked_id_is_not() -> None:
    from bot.disputes.engine.checks import INSTRUCTION_IN_BRACKETS

    assert INSTRUCTION_IN_BRACKETS.search("work done: 20% ([the parts finished]), worth").group(0) == (
        "[the parts finished]"
    )
    assert INSTRUCTION_IN_BRACKETS.search("offered a custom offer [send that reply before this summary].")
    assert INSTRUCTION_IN_BRACKETS.search("Order: [order #]\nContract: [contract #]") is None
