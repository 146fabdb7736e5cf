"""Plans for money disputes: escrow, hourly, chargeback, late payment, deposit, use after refund."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from bot.engine.answers import as_date
from bot.engine.context import money
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
    time_left,
)
from bot.engine.plans.orders import EVIDENCE_ORDER, KEEP_COPIES

ESCROW_CLOCKS = {
    ("upwork", "refund_requested"): ("upwork.escrow_refund_response", "Accept or dispute the refund request"),
    ("upwork", "dispute_opened"): ("upwork.dispute_client_response", "The client must answer the dispute"),
    ("freelancer", "refund_requested"): ("freelancer.dispute_response_freelancer", "Answer the request"),
    ("freelancer", "dispute_opened"): (
        "freelancer.dispute_response_freelancer",
        "Answer the dispute (or lose it by default)",
    ),
    ("peopleperhour", "refund_requested"): ("peopleperhour.refund_response", "Answer the refund request"),
    ("peopleperhour", "dispute_opened"): ("peopleperhour.refund_response", "Answer the dispute"),
}


def _start(ctx: dict[str, Any], key: str) -> datetime:
    return answer_time(ctx, key)


def plan_escrow(ctx: dict[str, Any], facts: Facts, now: datetime) -> Plan:
    require(ctx, "milestone_amount", "delivered_on", "escrow_state")
    platform, state = ctx["platform"], ctx["escrow_state"]
    plan = Plan(summary="")
    notes: list[str] = []
    clock = ESCROW_CLOCKS.get((platform, state))
    if clock:
        fact = facts[clock[0]]
        plan.deadlines.append(deadline_from_fact(clock[1], fact, _start(ctx, "request_received_at"), now))
        notes.append(fact_note(fact))
    if platform == "upwork" and state == "no_response":
        fact = facts["upwork.auto_release"]
        plan.deadlines.append(
            deadline_from_fact(
                "The submission is released automatically", fact, _start(ctx, "delivered_at"), now
            )
        )
        notes.append(fact_note(fact))
    fee_text = ""
    if platform == "upwork":
        fee = facts["upwork.arbitration_fee"]
        fee_text = f" Arbitration would cost about {fee.text} per party (check): weigh it against the amount."
        ratio = ctx["milestone_amount_amount"] / fee.number
        plan.caveats.append(f"Upwork: {facts['upwork.dispute_client_response'].statement} {fee.statement}")
        if ratio < 2:
            plan.warnings.append(
                f"The milestone ({ctx['milestone_amount']}) is less than twice the arbitration "
                f"fee ({fee.text}): a negotiated split may cost less than arbitration."
            )
    elif platform == "freelancer":
        plan.caveats.append(f"Freelancer.com: {facts['freelancer.arbitration_fee'].statement}")
    elif platform == "peopleperhour":
        plan.caveats.append(
            f"PeoplePerHour: {facts['peopleperhour.auto_release'].statement} "
            f"{facts['peopleperhour.refund_response'].statement}"
        )
    else:
        plan.caveats.append(
            "Another marketplace: look up how long you have to answer a refund request or "
            "dispute, and whether silence releases or refunds the escrow."
        )
    state_text = {
        "no_response": "the client is silent",
        "refund_requested": "the client asked for a refund",
        "dispute_opened": "a dispute is open",
    }[state]
    left = f" ({time_left(plan.deadlines[0])})" if plan.deadlines else ""
    plan.summary = (
        f"Milestone of {ctx['milestone_amount']} submitted {ctx['delivered_on']}; {state_text}{left}."
        + fee_text
    )
    plan.options = [
        OptionSpec(
            "hold_position",
            "Ask for release, backed by the delivery record",
            (f"You may keep the full {ctx['milestone_amount']}",),
            ("May go to mediation",),
            ("get_paid_in_full", "keep_rating"),
        ),
        OptionSpec(
            "split",
            "Propose a split: release part, refund the rest",
            ("Ends it without mediation or fees",),
            ("You give up part of the amount",),
            ("end_amicably", "minimise_time"),
        ),
        OptionSpec(
            "mediation",
            "Go to mediation with a clear statement",
            ("A neutral mediator reads the record",),
            ("Takes days or weeks; a recommendation is not binding",),
            (),
        ),
    ]
    plan.drafts = [
        DraftSpec("milestone_client_message", "Message to the client", "buyer", tuple(notes)),
        DraftSpec("mediator_statement", "Statement for the mediator", "mediator"),
    ]
    plan.evidence = [
        *EVIDENCE_ORDER,
        "The milestone's funding and submission records",
        "Proof of handover and any sign of use",
        KEEP_COPIES,
    ]
    return plan


def plan_hourly(ctx: dict[str, Any], facts: Facts, now: datetime) -> Plan:
    require(ctx, "hours_disputed", "hours_manual", "order_value")
    fact = facts["upwork.hourly_dispute_response"]
    plan = Plan(summary="")
    plan.deadlines.append(
        deadline_from_fact("Answer the hourly dispute", fact, _start(ctx, "request_received_at"), now)
    )
    protected = ctx["memos_present"] and ctx["within_weekly_limit"]
    tracked = ctx["hours_disputed"] - ctx["hours_manual"]
    ctx["hours_tracked"] = (
        tracked if not isinstance(tracked, float) or not tracked.is_integer() else int(tracked)
    )
    plan.summary = (
        f"{ctx['hours_disputed']} hours ({ctx['order_value']}) disputed, {ctx['hours_manual']} of them added "
        f"manually; {time_left(plan.deadlines[0])} to answer. "
        + (
            "Tracked time with memos within the weekly limit is what hourly protection covers."
            if protected
            else "Without memos or within-limit tracking, protection may not apply: "
            "rely on the work itself and the client's approvals."
        )
    )
    plan.options = [
        OptionSpec(
            "defend_tracked",
            "Defend the tracked hours with the Work Diary",
            ("Tracked, memo'd time is the strongest proof",),
            ("Manual hours are weaker",),
            ("get_paid_in_full", "keep_rating"),
        ),
        OptionSpec(
            "concede_manual",
            "Concede the manual hours, defend the rest",
            ("Shows good faith, ends faster",),
            ("Refunds the manual time",),
            ("end_amicably", "minimise_time"),
        ),
    ]
    plan.drafts = [
        DraftSpec("hourly_dispute_response", "Hourly dispute response", "support", (fact_note(fact),))
    ]
    plan.evidence = [
        "The Upwork Work Diary for the disputed weeks (screenshots, memos)",
        "The contract's weekly limit",
        "Messages where the client asked for or approved the work",
        "The work produced in those hours",
        KEEP_COPIES,
    ]
    plan.caveats.append(
        f"Upwork: {fact.statement} ({fact.as_of_note}) Business days here skip weekends only."
    )
    return plan


def plan_chargeback(ctx: dict[str, Any], facts: Facts, now: datetime) -> Plan:
    require(ctx, "order_value", "delivered_on", "payment_processor", "chargeback_reason")
    processor = ctx["payment_processor"]
    plan = Plan(summary="")
    notes: list[str] = []
    if processor == "paypal":
        fact = facts["paypal.escalation"]
        plan.deadlines.append(
            deadline_from_fact(
                "The buyer can escalate to a claim until", fact, _start(ctx, "request_received_at"), now
            )
        )
        notes.append(fact_note(fact))
        plan.caveats.append(f"PayPal: {facts['paypal.seller_protection'].statement}")
    else:
        due_day = as_date(ctx["_answers"]["response_due_at"])
        assert due_day is not None
        due = datetime.combine(due_day, time(23, 59), tzinfo=now.tzinfo)
        if processor == "stripe":
            fact = facts["stripe.dispute_response"]
            plan.deadlines.append(
                deadline_at(
                    "Submit your evidence to Stripe (due date on the notice)",
                    due,
                    now,
                    fact.source,
                    fact.as_of,
                    fact.confidence,
                )
            )
            notes.append(fact_note(fact))
            plan.caveats.append(f"Stripe: {fact.statement}")
        else:
            plan.deadlines.append(
                deadline_at("Respond by (date on the notice)", due, now, "the dispute notice", ctx["today"])
            )
    processor_name = {"paypal": "PayPal", "stripe": "Stripe", "bank": "the bank", "other": "the processor"}[
        processor
    ]
    ctx["processor_name"] = processor_name
    reason = {
        "not_received": "not received",
        "not_as_described": "not as described",
        "unauthorized": "unauthorised",
        "other": "unclear",
    }[ctx["chargeback_reason"]]
    ctx["reason_text"] = reason
    plan.summary = (
        f"A chargeback of {ctx['order_value']} through {processor_name}, reason '{reason}'"
        + (f"; {time_left(plan.deadlines[0])}" if plan.deadlines else "")
        + ". Ask the client to withdraw it, and answer with one chronological, grouped rebuttal."
    )
    plan.options = [
        OptionSpec(
            "withdraw_and_rebut",
            "Ask the client to withdraw; submit a rebuttal anyway",
            ("Covers both paths", "Withdrawal is fastest if the client agrees"),
            ("The rebuttal takes an hour to assemble",),
            ("get_paid_in_full", "keep_rating"),
        ),
        OptionSpec(
            "accept_loss",
            "Accept the chargeback",
            ("No more time spent",),
            (f"You lose {ctx['order_value']} plus the dispute fee",),
            ("minimise_time",),
        ),
        OptionSpec(
            "settle",
            "Offer a partial settlement if they withdraw",
            ("Ends it with the client's agreement",),
            ("You give up part of the amount",),
            ("end_amicably",),
        ),
    ]
    plan.drafts = [
        DraftSpec("chargeback_withdraw_request", "Ask the client to withdraw", "buyer"),
        DraftSpec("chargeback_rebuttal", "Rebuttal letter", "processor", tuple(notes)),
        DraftSpec("evidence_index", "Evidence index", "processor"),
    ]
    plan.evidence = [
        "The contract, accepted proposal or terms shown before payment",
        "The invoice and the payment id",
        "Proof of delivery: files, links, handover messages",
        "Proof of use: access logs, download times, the work live",
        "All communication, in date order",
        KEEP_COPIES,
    ]
    if ctx["chargeback_reason"] == "unauthorized":
        plan.caveats.append(
            "An 'unauthorised' reason is about who paid: show the client's own messages "
            "ordering and receiving the work."
        )
    if not ctx.get("proof_of_use"):
        plan.warnings.append("Without proof of delivery and use, chargebacks for services are hard to win.")
    return plan


LADDER = (
    (-1, "before_due", "A day before the due date"),
    (1, "gentle", "1-3 days late: a gentle reminder"),
    (7, "second", "7-14 days late: a second, firmer reminder"),
    (15, "third", "15-30 days late: a direct request with a date"),
    (31, "final", "Final notice"),
)


def ladder_step(days_late: int) -> tuple[str, str]:
    """The reminder step for this many days late (brief §4: escalate step by step)."""
    step = LADDER[0]
    for candidate in LADDER:
        if days_late >= candidate[0]:
            step = candidate
    return step[1], step[2]


def plan_late_payment(ctx: dict[str, Any], facts: Facts, now: datetime) -> Plan:
    require(ctx, "invoice_number", "invoice_amount", "invoice_due_on")
    due = as_date(ctx["_answers"]["invoice_due_date"])
    assert isinstance(due, date)
    days_late = (now.date() - due).days
    step, step_label = ladder_step(days_late)
    ctx.update(
        days_late=max(days_late, 0),
        reminder_step=step,
        has_late_fee=bool(ctx.get("late_fee_terms")),
        has_link=bool(ctx.get("payment_link")),
    )
    lateness = (
        f"{days_late} days late"
        if days_late > 0
        else ("due today" if days_late == 0 else f"due in {-days_late} days")
    )
    plan = Plan(
        summary=(
            f"Invoice {ctx['invoice_number']} for {ctx['invoice_amount']}, due {ctx['invoice_due_on']}, "
            f"is {lateness}; {ctx['reminders_sent']} reminder(s) sent. Next step: {step_label}."
        )
    )
    plan.options = [
        OptionSpec(
            "next_reminder",
            f"Send the next reminder ({step_label.split(':')[0]})",
            ("Keeps the relationship", "Short and factual gets paid"),
            ("Takes time to work",),
            ("get_paid_in_full", "keep_rating", "end_amicably", "minimise_time"),
        ),
        OptionSpec(
            "payment_plan",
            "Offer to split the amount in two dated parts",
            ("Helps a client short of cash",),
            ("Slower",),
            (),
        ),
    ]
    if step == "final":
        plan.options.append(
            OptionSpec(
                "small_claims",
                "Consider a formal claim after the final notice",
                ("The last resort when reminders fail",),
                ("Costs time and fees; rules depend on your country",),
                (),
            )
        )
    plan.drafts = [DraftSpec("payment_reminder", f"Payment reminder: {step_label}", "buyer")]
    plan.evidence = [
        f"Invoice {ctx['invoice_number']} and its due date",
        "The signed contract or accepted quote",
        "Proof of delivery",
        "Every reminder sent, with its date",
        KEEP_COPIES,
    ]
    plan.caveats.append(
        "Add only fees the contract states; anything else reads as a threat and is unlikely to be owed."
    )
    return plan


def plan_deposit_refund(ctx: dict[str, Any], facts: Facts, now: datetime) -> Plan:
    require(ctx, "order_value", "deposit_amount", "work_done_percent", "cancellation_clause")
    earned = ctx["order_value_amount"] * ctx["work_done_percent"] / 100
    deposit = ctx["deposit_amount_amount"]
    clause = ctx["cancellation_clause"]
    balance = deposit - earned
    ctx.update(
        earned=money(earned, ctx["currency"]),
        refund_due=money(max(balance, 0), ctx["currency"]),
        owed=money(max(-balance, 0), ctx["currency"]),
        client_owes=balance < 0,
        refund_is_zero=balance <= 0,
    )
    plan = Plan(
        summary=(
            f"The client cancelled with {ctx['work_done_percent']}% of the {ctx['order_value']} project done "
            f"(worth {ctx['earned']}) and wants the {ctx['deposit_amount']} deposit back. Pro rata, "
            + (
                f"the client owes {ctx['owed']} more."
                if balance < 0
                else f"{ctx['refund_due']} would go back."
            )
            + {
                "none": " The contract says nothing on cancelling, so propose a fair pro-rata settlement.",
                "non_refundable_deposit": " Your contract makes the deposit non-refundable.",
                "pay_for_work_done": " Your contract says work done is paid for.",
                "kill_fee": " Your contract has a kill fee: apply it as written.",
            }[clause]
        )
    )
    plan.options = [
        OptionSpec(
            "prorated",
            "Propose a pro-rated settlement",
            ("Fair and easy to explain", "Usually accepted"),
            ("You may return part of the deposit",),
            ("end_amicably", "keep_rating", "minimise_time"),
        ),
        OptionSpec(
            "keep_per_contract",
            "Keep what the contract allows",
            ("Follows the agreed terms",),
            ("The client may dispute the payment",),
            ("get_paid_in_full",),
        ),
    ]
    plan.drafts = [DraftSpec("prorated_settlement", "Pro-rated settlement proposal", "buyer")]
    plan.evidence = [
        "The contract and its cancellation clause",
        "The deposit invoice and payment record",
        "The work done so far, with dates",
        KEEP_COPIES,
    ]
    return plan


def plan_work_used(ctx: dict[str, Any], facts: Facts, now: datetime) -> Plan:
    require(ctx, "order_value", "refunded_on", "delivered_on")
    platform = ctx["platform"]
    plan = Plan(
        summary=(
            f"Delivered {ctx['delivered_on']}, refunded or cancelled {ctx['refunded_on']}"
            + (f", and the work is in use ({ctx['use_evidence']})" if ctx.get("use_evidence") else "")
            + ". Rights pass only with full payment: ask the client to stop using it or to license it at "
            f"{ctx['order_value']}."
        )
    )
    rights: list[str] = []
    if platform in {"fiverr", "upwork"}:
        fact = facts[f"{platform}.rights_on_payment"]
        rights.append(fact_note(fact))
        plan.caveats.append(f"{ctx['platform_name']}: {fact.statement}")
    elif platform == "direct" and not ctx.get("rights_clause"):
        plan.warnings.append(
            "Your contract does not say rights pass only on payment: the notice is weaker; "
            "consider local advice."
        )
    plan.options = [
        OptionSpec(
            "stop_or_license",
            "Ask them to stop using it, or to license it",
            ("Often resolved with one message",),
            ("They may ignore it",),
            ("get_paid_in_full", "end_amicably", "minimise_time"),
        ),
        OptionSpec(
            "report_platform",
            "Report the use to the platform"
            if ctx["is_marketplace"]
            else "Ask the hosting provider or a lawyer to act",
            ("Someone with power can act",),
            ("Slower; outcome not in your hands",),
            ("keep_rating",),
        ),
    ]
    plan.drafts = [DraftSpec("stop_or_license_notice", "Stop-or-license notice", "buyer", tuple(rights))]
    if ctx["is_marketplace"]:
        plan.drafts.append(DraftSpec("platform_use_report", "Report to the platform", "support"))
    plan.evidence = [
        EVIDENCE_ORDER[0],
        "The refund or cancellation record with its date",
        "Proof of use after that date: screenshots with dates, links, archives",
        "The rights clause of the terms or contract",
        KEEP_COPIES,
    ]
    if not ctx.get("proof_of_use"):
        plan.warnings.append("Gather dated proof of use before sending the notice.")
    return plan
