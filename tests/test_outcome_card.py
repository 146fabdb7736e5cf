"""The outcome laid out within Discord's embed limits, deadlines as countdown timestamps."""

from __future__ import annotations

from bot.discord_limits import EMBED_FIELD_VALUE_LIMIT, EMBEDS_TOTAL_LIMIT, fit
from bot.disputes.engine.flow import load_flow
from bot.disputes.engine.planner import plan_outcome
from bot.disputes.engine.session import session_from_answers
from bot.disputes.wizard.outcome_card import outcome_cards
from tests.s1 import S1_NOW, s1_answers


def test_s1_cards_fit_and_show_the_deadline_as_a_timestamp() -> None:
    flow = load_flow()
    outcome = plan_outcome(flow, session_from_answers(flow, s1_answers(), now=S1_NOW), now=S1_NOW)
    cards = outcome_cards(outcome, "Fiverr · Cancellation after delivery", "neutral")
    assert sum(card.size for card in cards) <= EMBEDS_TOTAL_LIMIT
    due = int(outcome.deadlines[0].due.timestamp())
    assert f"<t:{due}:R>" in cards[0].description
    assert "as of" in cards[0].description
    recommended = [name for name, _ in cards[0].fields if name.startswith("✅")]
    assert len(recommended) == 1
    assert any("partial refund" in name.lower() for name, _ in cards[0].fields)
    assert all(len(value) <= EMBED_FIELD_VALUE_LIMIT for _, value in cards[0].fields)
    assert "☐" in cards[1].description and "not legal advice" in cards[1].description


def test_fit_cuts_at_a_boundary() -> None:
    assert fit("short", 10) == "short"
    cut = fit("word " * 100, 50)
    assert len(cut) <= 50 and cut.endswith("…") and not cut.endswith(" …")
