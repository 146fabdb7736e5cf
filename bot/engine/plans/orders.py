"""Plans for order disputes: cancellation after delivery, scope creep, revision loop, partial refund."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.engine.facts import Facts
from bot.engine.plan_parts import (
    DraftSpec,
    OptionSpec,
    Plan,
    answer_time,
    deadline_from_fact,
    fact_note,
    require,
    time_left,
)

EVIDENCE_ORDER = [
    "Order / contract id and the package, offer or milestone as bought",
    "The buyer's requirement answers",
    "A dated timeline: delivery, each revision against the allowance, each request",
    "The platform's delivery record with its delivery message",
    "The whole on-platform conversation, including approvals and new asks",
]
KEEP_COPIES = "Keep copies of all of it outside the platform (screenshots, exports)."

# Where the platform answers a cancellation / refund request within a set time.
REQUEST_CLOCKS = {
    "fiverr": (
        "fiverr.cancellation_response",
        "Answer the cancellation request (or it is cancelled automatically)",
    ),
    "upwork": ("upwork.escrow_refund_response", "Accept or dispute the refund request"),
    "freelancer": ("freelancer.dispute_response_freelancer", "Answer the dispute (or lose it by default)"),
    "peopleperhour": ("peopleperhour.refund_response", "Answer the refund request"),
}


def partial_refund_room(ctx: dict[str, Any], facts: Facts) -> tuple[bool, str]:
    """Whether the seller can offer part of the amount back here, and the cap as text."""
    platform = ctx["platform"]
    value = ctx.get("order_value_amount", 0.0)
    if platform == "fiverr":
        active = ctx.get("order_state") in {"in_progress", "delivered"}
        minimum = facts["fiverr.partial_refund_min_order"].number
        percent = facts["fiverr.partial_refund_max_percent"].number
        if active and value > minimum:
            from bot.engine.context import money

            return True, money(value * percent / 100, ctx["currency"])
        return False, ""
    return platform in {"upwork", "freelancer", "direct"}, ""


def plan_cancellation(ctx: dict[str, Any], facts: Facts, now: datetime) -> Plan:
    require(ctx, "order_value", "extra_price", "delivered_on", "request_received_time", "agreed_scope")
    platform = ctx["platform"]
    completed = ctx["order_state"] == "completed"
    plan = Plan(summary="")
    clock = REQUEST_CLOCKS.get(platform)
    notes: list[str] = []
    if clock and not (platform == "fiverr" and completed):
        fact = facts[clock[0]]
        start = answer_time(ctx, "request_received_at")
        plan.deadlines.append(deadline_from_fact(clock[1], fact, start, now))
        notes.append(fact_note(fact))
    if platform == "fiverr" and completed:
        fact = facts["fiverr.support_completed_window"]
        start = answer_time(ctx, "delivered_at")
        auto = facts["fiverr.auto_complete"]
        plan.deadlines.append(
            deadline_from_fact(
                f"Support may still cancel the completed order (about {fact.text} after completion)",
                fact,
                auto.due(start),
                now,
            )
        )
        plan.caveats.append(
            f"Completion is estimated as delivery + {auto.text} (auto-completion); use the "
            "real completion date from the order page."
        )
    refund_ok, cap = partial_refund_room(ctx, facts)
    if cap:
        ctx["refund_cap"] = cap
    used, included = ctx["revisions_used"], ctx["revisions_included"]
    left = f"; {time_left(plan.deadlines[0])} to answer" if plan.deadlines else ""
    plan.summary = (
        f"{ctx['platform_name'].capitalize() if platform == 'other' else ctx['platform_name']} order of "
        f"{ctx['order_value']}, delivered {ctx['delivered_on']}; {used} of {included} revisions used"
        f"{', extra work done at no charge' if ctx['out_of_scope_work_done'] else ''}. The buyer "
        "asked to cancel "
        f"on {ctx['request_received_time']}{left}. Dissatisfaction alone is rarely grounds to cancel: "
        "decline calmly, restate what was agreed and delivered, and offer further changes as priced extras."
    )
    refund_title = "Offer a partial refund" + (f" (up to {cap} here)" if cap else "")
    plan.options = [
        OptionSpec(
            "stand_firm",
            "Decline the cancellation, offer priced extras",
            (
                f"You keep the full {ctx['order_value']}",
                "No cancellation on your record",
                f"The buyer gets a clear path: changes at {ctx['extra_price']} each round",
            ),
            (
                "The buyer may escalate to support, who then decides",
                "A poor review can follow (cancelling would not prevent one either)",
            ),
            ("get_paid_in_full", "keep_rating"),
        ),
    ]
    if refund_ok:
        plan.options.append(
            OptionSpec(
                "partial_refund",
                refund_title,
                ("The order completes instead of being cancelled", "Often ends the dispute quickly"),
                (
                    f"Costs part of the {ctx['order_value']}" + (f" (at most {cap})" if cap else ""),
                    "The buyer may ask for more; extras cannot be refunded this way"
                    if platform == "fiverr"
                    else "The buyer may ask for more",
                ),
                ("end_amicably", "minimise_time"),
            )
        )
    plan.options.append(
        OptionSpec(
            "accept_cancellation",
            "Accept the cancellation",
            ("Ends it at once", "No more time spent on this buyer"),
            (
                f"You lose the {ctx['order_value']}",
                "Counts against your completion stats"
                + (" and Success Score" if platform == "fiverr" else ""),
                "A review is still possible after a cancellation with a delivery"
                if platform == "fiverr"
                else "The buyer may still leave feedback",
                "The buyer may not use the delivered work once it is cancelled",
            ),
            ("minimise_time",),
        )
    )
    plan.drafts = [
        DraftSpec(
            "decline_with_path_forward",
            "Decline the cancellation, with a path forward",
            "buyer",
            tuple(notes),
        ),
        DraftSpec(
            "support_summary",
            "Summary for support (dated timeline)",
            "support",
            (fact_note(facts["fiverr.taste_not_grounds"]),) if platform == "fiverr" else (),
        ),
    ]
    if refund_ok:
        plan.drafts.append(
            DraftSpec(
                "partial_refund_offer",
                "Partial refund offer",
                "buyer",
                (fact_note(facts["fiverr.partial_refund_max_percent"]),) if platform == "fiverr" else (),
            )
        )
    plan.drafts.append(DraftSpec("review_reply", "Standby public reply, if a review comes", "public"))
    if ctx.get("buyer_threats"):
        plan.drafts.append(
            DraftSpec("threat_report", "Report the threat to support, with the quote", "support")
        )
    plan.evidence = [
        *EVIDENCE_ORDER,
        "Proof of handover: repository, server access, domain, live screenshots",
        "Each revision request, marked fix (free) or new feature (outside the offer)",
        "Proof of use, if the buyer is already using the work",
        KEEP_COPIES,
    ]
    if platform == "fiverr":
        plan.caveats += [
            f"Fiverr: {facts['fiverr.taste_not_grounds'].statement} "
            f"({facts['fiverr.taste_not_grounds'].as_of_note})",
            f"Fiverr: {facts['fiverr.resolution_route'].statement} Use the order page tools first, "
            "then support.",
            f"Fiverr: {facts['fiverr.cancelled_reviews'].statement}",
            f"Fiverr: {facts['fiverr.rights_on_payment'].statement}",
        ]
        if not refund_ok and ctx.get("order_state") != "completed":
            plan.caveats.append(f"Fiverr: {facts['fiverr.partial_refund_max_percent'].statement}")
    elif platform == "other":
        plan.caveats.append(
            "Another marketplace: find its deadline for answering a cancellation or refund "
            "request today; many cancel automatically when the seller is silent."
        )
    return plan


def plan_scope_creep(ctx: dict[str, Any], facts: Facts, now: datetime) -> Plan:
    require(ctx, "agreed_scope", "new_items", "extra_price", "extra_days")
    plan = Plan(
        summary=(
            f"The buyer is asking for {ctx['new_items']}, beyond the agreed {ctx['agreed_scope']}. "
            "Say clearly that "
            f"it is new work and quote it: {ctx['extra_price']}, {ctx['extra_days']} days, through "
            f"{ctx['extra_tool']}."
        )
    )
    plan.options = [
        OptionSpec(
            "quote_extra",
            "Quote the new items as priced extra work",
            ("You are paid for the extra time", "Sets the boundary for the rest of the order"),
            ("The buyer may push back on the price",),
            ("get_paid_in_full", "keep_rating"),
        ),
        OptionSpec(
            "small_goodwill",
            "Do one small item free, quote the rest",
            ("Goodwill at a known, limited cost",),
            ("Teaches the buyer that asking works", "Only if it really is small"),
            ("end_amicably",),
        ),
        OptionSpec(
            "decline_new_work",
            "Finish the agreed scope only",
            ("Least time spent",),
            ("No extra income", "The buyer may be disappointed"),
            ("minimise_time",),
        ),
    ]
    plan.drafts = [DraftSpec("scope_boundary_quote", "Scope boundary and quote", "buyer")]
    plan.evidence = [
        *EVIDENCE_ORDER[:2],
        "The messages where the new items were asked for",
        "Your quote and the buyer's answer",
        KEEP_COPIES,
    ]
    return plan


def plan_revision_loop(ctx: dict[str, Any], facts: Facts, now: datetime) -> Plan:
    require(ctx, "revisions_used", "revisions_included", "extra_price")
    exhausted = ctx["revisions_exhausted"]
    left = ctx["revisions_included"] - ctx["revisions_used"]
    plan = Plan(
        summary=(
            f"{ctx['revisions_used']} of {ctx['revisions_included']} revisions used"
            + (" — the allowance is used up." if exhausted else f"; {left} left.")
            + (
                " The feedback is vague or reverses earlier asks: ask for an itemised list before "
                "changing anything."
                if ctx["feedback_vague"]
                else ""
            )
            + f" Further rounds: {ctx['extra_price']} each, {ctx['extra_days']} days."
        )
    )
    plan.options = [
        OptionSpec(
            "itemised_feedback",
            "Ask for one itemised list of changes",
            ("Stops guessing; every item can be checked off", "Separates fixes from new requests"),
            ("One more exchange before work resumes",),
            ("keep_rating", "end_amicably"),
        ),
        OptionSpec(
            "paid_rounds",
            "Offer further rounds as priced extras",
            ("Your time is paid", "Ends open-ended revisions"),
            ("The buyer may resist paying",),
            ("get_paid_in_full",),
        ),
        OptionSpec(
            "final_revision",
            "Do one last included round, then close",
            ("Quickest way to finish",),
            ("Unpaid time if the list keeps growing",),
            ("minimise_time",),
        ),
    ]
    plan.drafts = [DraftSpec("itemised_feedback_request", "Ask for itemised feedback", "buyer")]
    plan.drafts.append(
        DraftSpec(
            "last_revision_and_extras",
            "Last included revision, then priced extras"
            if not exhausted
            else "Revisions used up: priced extras",
            "buyer",
        )
    )
    plan.evidence = [
        *EVIDENCE_ORDER,
        "Each revision request next to the allowance (round 1 of N...)",
        KEEP_COPIES,
    ]
    return plan


def plan_partial_refund(ctx: dict[str, Any], facts: Facts, now: datetime) -> Plan:
    require(ctx, "order_value", "refund_asked", "max_refund")
    refund_ok, cap = partial_refund_room(ctx, facts)
    offer = min(ctx["max_refund_amount"], ctx["refund_asked_amount"])
    if cap:
        offer = min(
            offer, ctx["order_value_amount"] * facts["fiverr.partial_refund_max_percent"].number / 100
        )
    can_offer = refund_ok and offer > 0
    from bot.engine.context import money

    ctx["refund_offer"] = money(offer, ctx["currency"])
    plan = Plan(
        summary=(
            f"The buyer asks {ctx['refund_asked']} back on a {ctx['order_value']} order; you would "
            "give back at most "
            f"{ctx['max_refund']}."
            + (f" Here a partial refund is possible (cap {cap})." if cap else "")
            + (
                ""
                if refund_ok
                else " A seller-initiated partial refund is not available in this state:"
                " decline and offer an alternative (an extra revision or added value)."
            )
        )
    )
    plan.options = [
        OptionSpec(
            "decline_offer_alternative",
            "Decline, offer an alternative instead",
            ("You keep the full amount", "The alternative shows goodwill"),
            ("The buyer may escalate",),
            ("get_paid_in_full", "keep_rating"),
        )
    ]
    if can_offer:
        plan.options.append(
            OptionSpec(
                "capped_offer",
                f"Offer {ctx['refund_offer']} back, once",
                ("Likely ends the dispute", "The amount is capped by you, not the buyer"),
                (f"Costs {ctx['refund_offer']}", "Sets a precedent for this buyer"),
                ("end_amicably", "minimise_time"),
            )
        )
    plan.drafts = [DraftSpec("refund_decline_alternative", "Decline, with an alternative", "buyer")]
    if can_offer:
        plan.drafts.append(
            DraftSpec(
                "capped_refund_offer",
                "Capped refund offer",
                "buyer",
                (fact_note(facts["fiverr.partial_refund_max_percent"]),)
                if ctx["platform"] == "fiverr"
                else (),
            )
        )
    plan.evidence = [*EVIDENCE_ORDER, "The buyer's message asking for money back", KEEP_COPIES]
    if ctx["platform"] == "fiverr":
        plan.caveats.append(
            f"Fiverr: {facts['fiverr.partial_refund_max_percent'].statement} "
            f"({facts['fiverr.partial_refund_max_percent'].as_of_note})"
        )
    return plan
