"""Suggestions for the "Draft a reply…" context menu: templates and dispute types by keyword overlap."""

from __future__ import annotations

import pytest

from bot.disputes.engine.flow import load_flow
from bot.replies import load_library
from bot.replies.suggest import DISPUTE_KEYWORDS, normalise, suggest, suggest_dispute_types
from tests.benchmarks import suggester

LIBRARY = load_library()

# Every dispute type of the questionnaire: the keyword map must know each one.
DISPUTE_TYPE_IDS = {option.value for option in load_flow().by_id["dispute_type"].options}


@pytest.mark.parametrize(
    ("message", "template", "dispute_type"),
    [
        ("Do it for free or I will leave you one star", "leverage-threat-reply", "leverage_threat"),
        (
            "Can you also add a booking calendar? It should be a small change",
            "scope-new-work-quote",
            "scope_creep",
        ),
        ("Invoice INV-9 is overdue, sorry, I will pay next week", "remind-late-7-14", "late_payment"),
        (
            "Hi! When will the delivery be ready? The deadline is tomorrow",
            "progress-update",
            "deadline_trouble",
        ),
        ("I want a partial refund, 50% back", "cancel-partial-refund-offer", "partial_refund_demand"),
        ("I opened a chargeback with PayPal", "chargeback-rebuttal", "chargeback"),
        ("Client will not release the milestone from escrow", "milestone-release-request", "escrow_withheld"),
        ("I cancelled the project, please refund the deposit", "deposit-settlement", "deposit_refund"),
        (
            "You were refunded but are still using the design on your live site",
            "work-used-after-refund",
            "work_used_after_refund",
        ),
        ("Please send another revision, this is still not right", "revision-itemised", "revision_loop"),
    ],
)
def test_best_match(message: str, template: str, dispute_type: str) -> None:
    assert template in [s.id for s in suggest(message, LIBRARY, k=2)]
    assert suggest_dispute_types(message)[0].id == dispute_type


def test_off_platform_request_suggests_the_decline() -> None:
    assert suggest("let us talk on whatsapp, send me your email", LIBRARY)[0].id == "offplatform-decline-contact"


def test_results_are_bounded_ranked_and_deterministic() -> None:
    message = "I am not satisfied, cancel the order or I will leave a 1 star review"
    first = suggest(message, LIBRARY, k=5)
    assert len(first) == 5 and first == suggest(message, LIBRARY, k=5)
    assert [s.score for s in first] == sorted((s.score for s in first), reverse=True)
    assert suggest_dispute_types(message, k=2)[0].id == "leverage_threat"


def test_nothing_to_match() -> None:
    assert suggest("", LIBRARY) == [] and suggest("the of and", LIBRARY) == []
    assert suggest_dispute_types("lovely weather today") == []


def test_dispute_map_covers_every_type() -> None:
    assert set(DISPUTE_KEYWORDS) == DISPUTE_TYPE_IDS


def test_normalise_stems_and_keeps_meaningful_small_words() -> None:
    assert normalise("Cancelled orders, NOT paid!") == ["cancel", "order", "not", "paid"]


def test_the_labelled_buyer_messages_are_suggested_the_right_reply() -> None:
    # Accuracy is a count, not a time: asserted here; `make bench` prints it with the held-out set.
    labelled = suggester.load_labelled()
    assert len(labelled) >= 100
    known = {t.name for t in LIBRARY}
    assert all(set(item.answers) <= known and item.platform for item in labelled)
    results = suggester.run(LIBRARY, labelled)
    for other in (suggester.HELD_OUT, suggester.BLIND):  # the other sets name real replies too
        assert all(set(item.answers) <= known for item in suggester.load_labelled(other))
    assert results["top3"] >= suggester.TARGET_TOP3, results["misses"]
    assert results["top1"] >= 0.8, results["top1"]


def test_the_complaints_of_the_issue_are_answered_with_the_right_reply() -> None:
    fiverr = [t for t in LIBRARY if t.fits("fiverr")]
    assert suggest("Any update on my order?", fiverr)[0].id == "progress-update"
    first = suggest("I'm not happy with this, I want to cancel and get my money back", fiverr)[0].id
    assert first == "cancel-decline-path-forward"
    assert suggest("Thanks, it looks great! I'll order again next month", fiverr)[0].id == "thanks-completion"
