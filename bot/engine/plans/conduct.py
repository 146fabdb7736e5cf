"""Plans for conduct disputes: deadline trouble, leverage threats, negative reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.engine.facts import Facts
from bot.engine.plan_parts import (
    DraftSpec,
    OptionSpec,
    Plan,
    answer_time,
    deadline_at,
    deadline_from_fact,
    fact_note,
    require,
)
from bot.engine.plans.orders import EVIDENCE_ORDER, KEEP_COPIES


def plan_deadline_trouble(ctx: dict[str, Any], facts: Facts, now: datetime) -> Plan:
    require(ctx, "due_time", "deadline_issue")
    issue = ctx["deadline_issue"]
    due = answer_time(ctx, "due_at")
    plan = Plan(summary="")
    plan.deadlines.append(deadline_at("The order is due", due, now, "your order page", ctx["today"]))
    notes: tuple[str, ...] = ()
    if ctx["platform"] == "fiverr":
        fact = facts["fiverr.late_cancel"]
        plan.deadlines.append(
            deadline_from_fact("From here the buyer can cancel alone (you are late)", fact, due, now)
        )
        notes = (fact_note(fact),)
        plan.caveats.append(f"Fiverr: {fact.statement} ({fact.as_of_note})")
    late = due < now
    what = {
        "no_requirements": "the buyer has not sent the requirements",
        "silent_buyer": "the buyer has gone silent",
        "need_more_time": f"you need {ctx.get('extension_days', 0)} more days",
    }[issue]
    plan.summary = (
        f"The order is due {ctx['due_time']}"
        + (" (already passed)" if late else "")
        + f" and {what}. Write now, on the order page, with one clear ask and a date; "
        "a dated record protects you if the order is reviewed later."
    )
    if issue == "need_more_time":
        plan.options = [
            OptionSpec(
                "ask_extension",
                "Ask for an extension now, before the due time",
                ("Honest and on the record", "Most buyers agree when asked early"),
                ("The buyer may refuse",),
                ("keep_rating", "end_amicably", "get_paid_in_full"),
            ),
            OptionSpec(
                "partial_delivery",
                "Deliver what is ready, agree the rest",
                ("Shows progress",),
                ("Must be agreed, or it reads as incomplete",),
                ("minimise_time",),
            ),
        ]
        plan.drafts = [DraftSpec("extension_request", "Extension request", "buyer", notes)]
    else:
        plan.options = [
            OptionSpec(
                "nudge",
                "Send a short, dated nudge with one ask",
                ("Creates a record that you followed up",),
                ("May stay unanswered",),
                ("keep_rating", "end_amicably", "get_paid_in_full"),
            ),
            OptionSpec(
                "support_note",
                "Tell support before the due time",
                ("Support sees you acted in time",),
                ("Takes a few minutes",),
                ("minimise_time",),
            ),
        ]
        plan.drafts = [DraftSpec("requirements_nudge", "Nudge the buyer", "buyer", notes)]
    plan.drafts.append(DraftSpec("support_note_deadline", "Note for support", "support"))
    plan.evidence = [
        EVIDENCE_ORDER[0],
        "The order's due date and any extension asked",
        "Your follow-up messages with their dates",
        KEEP_COPIES,
    ]
    return plan


def plan_leverage_threat(ctx: dict[str, Any], facts: Facts, now: datetime) -> Plan:
    require(ctx, "buyer_quote", "buyer_demand", "agreed_scope", "extra_price")
    plan = Plan(
        summary=(
            f"The buyer demands {ctx['buyer_demand']} for free and attaches a threat. Reply only "
            "about scope: "
            f"what was agreed ({ctx['agreed_scope']}), what the new work costs "
            f"({ctx['extra_price']}). Never mention "
            "reviews in your reply; report the exact words to support."
        )
    )
    plan.options = [
        OptionSpec(
            "scope_reply_and_report",
            "Restate scope, quote the extra, report the threat",
            ("Keeps you within the rules", "Support sees the quote early"),
            ("The buyer may follow through on the threat",),
            ("get_paid_in_full", "keep_rating", "end_amicably"),
        ),
        OptionSpec(
            "give_in",
            "Do the work for free",
            ("Ends the pressure for now",),
            ("Unpaid work", "Rewards the threat; it tends to come back"),
            ("minimise_time",),
        ),
    ]
    plan.drafts = [
        DraftSpec("threat_scope_reply", "Reply that restates scope", "buyer"),
        DraftSpec("threat_report", "Report to support, with the quote", "support"),
    ]
    plan.evidence = [
        *EVIDENCE_ORDER[:2],
        "A screenshot of the message with the threat, with its date",
        "The demand and your quote",
        KEEP_COPIES,
    ]
    if ctx["platform"] == "fiverr":
        fact = facts["fiverr.message_hold"]
        plan.caveats.append(f"Fiverr: {fact.statement} ({fact.as_of_note})")
    if ctx["platform"] == "upwork":
        plan.caveats.append(f"Upwork: {facts['upwork.feedback_reply'].statement}")
    return plan


def plan_negative_review(ctx: dict[str, Any], facts: Facts, now: datetime) -> Plan:
    require(ctx, "rating", "review_claims")
    plan = Plan(
        summary=(
            f"A {ctx['rating']}-star review says: {ctx['review_claims']}. Reply once, briefly and "
            "factually, for "
            "future buyers; no personal data, no argument."
        )
    )
    if ctx["platform"] == "upwork":
        fact = facts["upwork.feedback_reply"]
        start = answer_time(ctx, "review_posted_at")
        plan.deadlines.append(deadline_from_fact("Post your one public reply", fact, start, now))
        plan.caveats.append(f"Upwork: {fact.statement} ({fact.as_of_note})")
    if ctx["platform"] == "fiverr":
        plan.caveats.append(f"Fiverr: {facts['fiverr.cancelled_reviews'].statement}")
    plan.options = [
        OptionSpec(
            "public_reply",
            "Post one brief, factual public reply",
            ("Future buyers see your side", "Takes minutes"),
            ("It stays public",),
            ("keep_rating", "minimise_time", "get_paid_in_full"),
        ),
        OptionSpec(
            "reply_and_message",
            "Reply publicly and send a short private message",
            ("May repair the relationship",),
            ("The buyer may not answer",),
            ("end_amicably",),
        ),
        OptionSpec(
            "report_if_false",
            "Ask support to look at it, only for rule breaks",
            ("Removal is possible for manipulation or extortion",),
            ("Rarely succeeds for opinions",),
            (),
        ),
    ]
    plan.drafts = [
        DraftSpec("review_reply", "Public reply to the review", "public"),
        DraftSpec("review_private_message", "Optional private message", "buyer"),
    ]
    plan.evidence = [
        EVIDENCE_ORDER[0],
        EVIDENCE_ORDER[2],
        EVIDENCE_ORDER[3],
        "A screenshot of the review with its date",
        KEEP_COPIES,
    ]
    return plan
