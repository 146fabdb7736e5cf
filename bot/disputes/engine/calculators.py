"""Small pure calculators: answers and facts in, new named values out.

A playbook lists the calculators it uses (``calculators = [...]``). Each one reads the answers (never
the values of another calculator), may read platform facts and the clock, and returns a new mapping
of the names it declares in ``outputs``; it writes nothing anywhere else. The planner merges the
results into the read-only context and refuses a name given twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.disputes.engine.answers import as_date, as_datetime, is_date_only
from bot.disputes.engine.context import day_text, moment_text, money
from bot.disputes.engine.facts import Facts
from bot.disputes.engine.platforms import Platform
from bot.disputes.engine.wording import buyer_threats, off_platform_phrases

QUOTE_LIMIT = 400


@dataclass(frozen=True)
class Inputs:
    answers: Mapping[str, Any]
    facts: Facts
    now: datetime
    platform: Platform

    @property
    def currency(self) -> str:
        return str(self.answers.get("currency") or "USD")


@dataclass(frozen=True)
class Calculator:
    name: str
    outputs: tuple[str, ...]
    run: Callable[[Inputs], dict[str, Any]]
    doc: str


def _number(value: float) -> int | float:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def revisions(inputs: Inputs) -> dict[str, Any]:
    answers = inputs.answers
    if "revisions_used" not in answers:
        return {}
    used, included = answers["revisions_used"], answers["revisions_included"]
    return {
        "revisions_exhausted": used >= included,
        "revisions_left": _number(included - used),
        "revisions_phrase": revisions_phrase(int(used), int(included)),
    }


_SMALL = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count(number: int) -> str:
    return _SMALL[number] if number < len(_SMALL) else str(number)


def revisions_phrase(used: int, included: int) -> str:
    """'2 of the 3 included revision rounds are used', 'both included rounds are used, plus two more at no charge'."""
    if included == 0:
        return "no revision rounds were included" + (f", and I did {_count(used)} at no charge" if used else "")
    if used == 0:
        if included == 1:
            return "the included revision round is still unused"
        return f"none of the {included} included revision rounds is used yet"
    if used < included:
        verb = "is" if used == 1 else "are"
        return f"{used} of the {included} included revision rounds {verb} used"
    if included == 1:
        phrase = "the one included revision round is used"
    elif included == 2:
        phrase = "both included revision rounds are used"
    else:
        phrase = f"all {included} included revision rounds are used"
    extra = used - included
    return phrase + (f", plus {_count(extra)} more at no charge" if extra else "")


def buyer_message(inputs: Inputs) -> dict[str, Any]:
    message = inputs.answers.get("buyer_message")
    if not isinstance(message, str):
        return {}
    threats = buyer_threats(message)
    quote = message if len(message) <= QUOTE_LIMIT else message[: QUOTE_LIMIT - 3].rstrip() + "..."
    if threats and threats[0] not in quote:  # cut so that the words that triggered the warning stay in
        at = message.find(threats[0])
        start = max(at - QUOTE_LIMIT // 2, 0)
        window = message[start : start + QUOTE_LIMIT - 6].strip()
        quote = ("..." if start else "") + window + ("..." if start + QUOTE_LIMIT - 6 < len(message) else "")
    return {
        "buyer_quote": quote,
        "buyer_threats": threats,
        "buyer_threats_quoted": ", ".join(repr(threat) for threat in threats),
        "has_buyer_threats": bool(threats),
    }


def auto_completed_at(inputs: Inputs) -> datetime | None:
    """When the order would have completed by itself before the buyer's request (the platform's auto-complete
    time after the latest known delivery, with no action from the buyer), or None."""
    completed = _completion_due(inputs)
    if completed is None or not _latest_delivery_known(inputs):
        return None
    return completed


def _latest_delivery_known(inputs: Inputs) -> bool:
    # A revision after the first delivery means a later delivery restarted the clock, unless its date is given.
    return inputs.answers.get("last_delivery_at") is not None or not inputs.answers.get("revisions_used")


def _delivery_stem(inputs: Inputs) -> str:
    return "last_delivery_at" if inputs.answers.get("last_delivery_at") is not None else "delivered_at"


def _completion_due(inputs: Inputs) -> datetime | None:
    """The auto-complete moment when it came before the request, counted from the latest known delivery."""
    fact = inputs.facts.by_id.get(f"{inputs.platform.id}.auto_complete")
    delivered = as_datetime(inputs.answers.get(_delivery_stem(inputs)))
    request = as_datetime(inputs.answers.get("request_received_at"))
    if fact is None or not fact.unit or delivered is None:
        return None
    if inputs.answers.get("order_state") not in {"delivered", "completed"}:
        return None
    completed = fact.due(delivered)
    return completed if request is not None and request >= completed else None


def order_clock(inputs: Inputs) -> dict[str, Any]:
    """The seller's reading of the order page decides what the drafts say. order_completed: the seller
    answered "completed" on a platform whose orders complete by themselves; auto_completed: that completion
    came by itself before the request (its date then known). completion_conflict: the seller answered
    "delivered" but by the platform's rule the order would have completed before the request: the seller
    is warned (both dates) to check the page, and the drafts still follow the answer."""
    has_clock = f"{inputs.platform.id}.auto_complete" in inputs.facts.by_id
    state = inputs.answers.get("order_state")
    completed = auto_completed_at(inputs)
    out: dict[str, Any] = {
        "order_completed": has_clock and state == "completed",
        "auto_completed": completed is not None and state == "completed",
        "completion_conflict": completed is not None and state == "delivered",
    }
    if completed is not None:
        stem = _delivery_stem(inputs)
        exact = not is_date_only(inputs.answers.get(stem))
        out["auto_completed_on"] = moment_text(completed) if exact else day_text(completed.date())
        delivered = as_datetime(inputs.answers.get(stem))
        if delivered is not None:
            out["completion_counted_from"] = moment_text(delivered) if exact else day_text(delivered.date())
    return out


def refund_room(inputs: Inputs) -> dict[str, Any]:
    """Whether the seller can give part of the amount back here, the platform's cap, and one offer."""
    answers, facts, platform = inputs.answers, inputs.facts, inputs.platform
    value = float(answers.get("order_value", 0.0))
    out: dict[str, Any] = {"refund_possible": platform.partial_refunds == "yes", "refund_capped": False}
    percent = 0.0
    if platform.partial_refunds == "capped":
        active = answers.get("order_state") in {"in_progress", "delivered"}  # the seller's reading of the page
        minimum = facts[f"{platform.id}.partial_refund_min_order"].number
        percent = facts[f"{platform.id}.partial_refund_max_percent"].number
        if active and value > minimum:
            cap = value * percent / 100
            out.update(
                refund_possible=True,
                refund_capped=True,
                refund_cap=money(cap, inputs.currency),
                refund_cap_amount=cap,
            )
    if "refund_asked" in answers:  # a demand: open below the most the seller would give back
        most = float(answers.get("max_refund") or 0)
        offer = min(opening_offer(most), float(answers["refund_asked"]))
        if out["refund_capped"]:
            offer = min(offer, value * percent / 100)
        out.update(
            refund_nothing=most <= 0,
            refund_offer=money(offer, inputs.currency),
            refund_offer_amount=offer,
            refund_offer_possible=out["refund_possible"] and offer > 0,
        )
    elif answers.get("refund_offer"):  # the seller's own offer, within the platform's cap
        offer = float(answers["refund_offer"])
        over = out["refund_capped"] and offer > out["refund_cap_amount"]
        out.update(refund_offer_over_cap=over, refund_offer_possible=out["refund_possible"] and not over)
    else:
        out.update(refund_offer_over_cap=False, refund_offer_possible=False)
    return out


OPENING_SHARE = 0.6  # open at about this share of the most the seller would give back


def opening_offer(most: float) -> float:
    """A first offer below the seller's most, as a person would pick it: 60% of it rounded to the nearest
    5 from 20 up (48 -> 50, kept below the most), to a whole unit below 20."""
    opening = most * OPENING_SHARE
    if opening < 1:
        return most
    if opening < 20:
        return float(int(opening))
    rounded = float(round(opening / 5) * 5)
    return rounded if rounded < most else float(int(opening // 5) * 5)


def auto_release(inputs: Inputs) -> dict[str, Any]:
    """When a submitted, unanswered milestone is released automatically (a duration fact of the platform)."""
    fact = inputs.facts.by_id.get(f"{inputs.platform.id}.auto_release")
    delivered = as_datetime(inputs.answers.get("delivered_at"))
    if fact is None or fact.unit not in {"hours", "days", "business_days"} or delivered is None:
        return {}
    if inputs.answers.get("escrow_state") != "no_response":
        return {}
    due = fact.due(delivered)
    return {"auto_release_running": due > inputs.now, "auto_release_on": day_text(due.date())}


def hours(inputs: Inputs) -> dict[str, Any]:
    answers = inputs.answers
    tracked = answers["hours_disputed"] - answers["hours_manual"]
    out: dict[str, Any] = {
        "hours_tracked": _number(tracked),
        "hourly_protected": bool(answers.get("memos_present")) and bool(answers.get("within_weekly_limit")),
    }
    if answers["hours_manual"] and answers["hours_disputed"] and "order_value" in answers:
        # The disputed amount pro rata: what giving up the manual hours costs, at the contract's own rate.
        share = float(answers["order_value"]) * answers["hours_manual"] / answers["hours_disputed"]
        out["manual_value"] = money(round(share, 2), inputs.currency)
    return out


def arbitration_fee(inputs: Inputs) -> dict[str, Any]:
    """Whether the platform's arbitration fee is more than half the milestone (a split may cost less)."""
    fact = inputs.facts.by_id.get(f"{inputs.platform.id}.arbitration_fee")
    if fact is None or not fact.unit or "milestone_amount" not in inputs.answers:
        return {}
    return {"arbitration_fee_high": float(inputs.answers["milestone_amount"]) / fact.number < 2}


def due_passed(inputs: Inputs) -> dict[str, Any]:
    due = as_datetime(inputs.answers.get("due_at"))
    if due is None:
        return {}
    late_cancel = inputs.facts.by_id.get(f"{inputs.platform.id}.late_cancel")
    can_cancel = late_cancel is not None and late_cancel.unit != "" and late_cancel.due(due) < inputs.now
    out: dict[str, Any] = {"due_passed": due < inputs.now, "late_cancel_open": can_cancel}
    extension = inputs.answers.get("extension_days")
    if isinstance(extension, int | float) and not isinstance(extension, bool) and extension > 0:
        new_due = due + timedelta(days=float(extension))
        exact = not is_date_only(inputs.answers.get("due_at"))
        out["new_due_time"] = moment_text(new_due) if exact else day_text(new_due.date())
    return out


def invoice_lateness(inputs: Inputs) -> dict[str, Any]:
    due = as_date(inputs.answers["invoice_due_date"])
    assert due is not None
    late = (inputs.now.date() - due).days
    return {
        "days_late_signed": late,
        "days_late": max(late, 0),
        "days_until_due": max(-late, 0),
        "invoice_timing": "overdue" if late > 0 else ("due_today" if late == 0 else "not_yet_due"),
        "has_late_fee": bool(inputs.answers.get("late_fee_terms")),
        "has_link": bool(inputs.answers.get("payment_link")),
    }


_FEE_RATE = re.compile(
    r"(?i)(\d+(?:[.,]\d+)?)\s*%\s*(?:per|a|an|each|/)?\s*(month|monthly|year|yearly|annum|annual|annually|week|weekly|day|daily)"
)
_PERIOD_DAYS = (("month", 30), ("year", 365), ("annu", 365), ("week", 7), ("da", 1))


def late_fee(inputs: Inputs) -> dict[str, Any]:
    """The contract's late fee to date, when its terms read like '1.5% per month' (simple, from the due date)."""
    answers = inputs.answers
    terms = answers.get("late_fee_terms")
    due = as_date(answers.get("invoice_due_date"))
    pay_by = inputs.now.date() + timedelta(days=PAY_BY_DAYS)
    out: dict[str, Any] = {"pay_by_on": day_text(pay_by)}
    if not isinstance(terms, str) or due is None:
        return {**out, "late_fee_computed": False}
    match = _FEE_RATE.search(terms)
    days = (inputs.now.date() - due).days
    if match is None or days <= 0:
        return {**out, "late_fee_computed": False}
    rate = float(match.group(1).replace(",", "."))
    word = match.group(2).lower()
    period = next(days for prefix, days in _PERIOD_DAYS if word.startswith(prefix))
    amount = float(answers["invoice_amount"])
    fee = round(amount * rate / 100 * days / period, 2)
    return {
        **out,
        "late_fee_computed": True,
        "late_fee": money(fee, inputs.currency),
        "late_fee_amount": fee,
        "total_due": money(amount + fee, inputs.currency),
    }


PAY_BY_DAYS = 7  # a final notice gives this many days to pay


# How the timeline warnings name each date (the words live here because they name answers, not advice).
EVENT_NAMES = {
    "delivered_at": "the delivery",
    "request_received_at": "the request or dispute",
    "refunded_at": "the refund or cancellation",
    "review_posted_at": "the review",
    "last_contact_at": "the buyer's last message",
}


def timeline(inputs: Inputs) -> dict[str, Any]:
    """Impossible timelines: a past event dated in the future, a request before the delivery it is about."""
    answers, now = inputs.answers, inputs.now
    out: dict[str, Any] = {"future_dates_found": False, "dated_before_delivery_found": False}
    future = [
        f"{name} ({day_text(moment.date())})"
        for key, name in EVENT_NAMES.items()
        if (moment := as_datetime(answers.get(key))) is not None and moment > now
    ]
    if future:
        out["future_dates_found"] = True
        out["future_dates"] = ", ".join(future)
    delivered = as_datetime(answers.get("delivered_at"))
    for key in ("request_received_at", "refunded_at"):
        moment = as_datetime(answers.get(key))
        if delivered is not None and moment is not None and moment < delivered:
            out["dated_before_delivery_found"] = True
            out["dated_before_delivery"] = f"{EVENT_NAMES[key]} ({day_text(moment.date())})"
            out["delivery_date_text"] = day_text(delivered.date())
    return out


BUYER_WORDS = ("buyer_message", "buyer_demand", "new_items", "review_claims")


def off_platform(inputs: Inputs) -> dict[str, Any]:
    """On a marketplace: the buyer's own words asking to move contact or payment off the platform."""
    if not inputs.platform.marketplace:
        return {"off_platform_found": False}
    phrases: list[str] = []
    for key in BUYER_WORDS:
        value = inputs.answers.get(key)
        if isinstance(value, str):
            phrases += [p for p in off_platform_phrases(value) if p.lower() not in (q.lower() for q in phrases)]
    found = {"off_platform_found": bool(phrases)}
    return {**found, "off_platform_phrases": ", ".join(repr(p) for p in phrases)} if phrases else found


def new_work(inputs: Inputs) -> dict[str, Any]:
    return {"has_new_work": bool(inputs.answers.get("new_work_asked"))}


def respond_by(inputs: Inputs) -> dict[str, Any]:
    return {"has_respond_by": bool(inputs.answers.get("response_due_at"))}


REPLY_BY_DAYS = 7  # a stop-or-license notice asks for an answer within this many days


def reply_by(inputs: Inputs) -> dict[str, Any]:
    """A concrete date for the other side to answer by: a week from today."""
    return {"reply_by_on": day_text(inputs.now.date() + timedelta(days=REPLY_BY_DAYS))}


def deposit_split(inputs: Inputs) -> dict[str, Any]:
    """Pro rata: the work done is earned; the rest of the deposit goes back, or the client owes the gap."""
    answers, currency = inputs.answers, inputs.currency
    earned = float(answers["order_value"]) * answers["work_done_percent"] / 100
    balance = float(answers["deposit_amount"]) - earned
    return {
        "earned": money(earned, currency),
        "refund_due": money(max(balance, 0), currency),
        "owed": money(max(-balance, 0), currency),
        "client_owes": balance < 0,
        "refund_is_zero": balance <= 0,
    }


CALCULATORS: Mapping[str, Calculator] = {
    calculator.name: calculator
    for calculator in (
        Calculator(
            "revisions",
            ("revisions_exhausted", "revisions_left", "revisions_phrase"),
            revisions,
            "revisions_exhausted (used >= included), revisions_left",
        ),
        Calculator(
            "buyer_message",
            ("buyer_quote", "buyer_threats", "buyer_threats_quoted", "has_buyer_threats"),
            buyer_message,
            "the buyer's message as a quote (at most 400 characters) and the threats found in it",
        ),
        Calculator(
            "refund_room",
            (
                "refund_possible",
                "refund_capped",
                "refund_cap",
                "refund_cap_amount",
                "refund_offer",
                "refund_offer_amount",
                "refund_offer_possible",
                "refund_offer_over_cap",
                "refund_nothing",
            ),
            refund_room,
            "whether a partial refund is possible, the platform cap (seller's eyes only), one offer",
        ),
        Calculator(
            "order_clock",
            (
                "order_completed",
                "auto_completed",
                "auto_completed_on",
                "completion_conflict",
                "completion_counted_from",
            ),
            order_clock,
            "whether the order is completed (by itself, before the request), or the answer 'delivered' contradicts "
            "the platform's auto-complete time",
        ),
        Calculator(
            "hours",
            ("hours_tracked", "hourly_protected", "manual_value"),
            hours,
            "tracked hours, hourly protection, the manual hours' share of the amount",
        ),
        Calculator(
            "auto_release",
            ("auto_release_running", "auto_release_on"),
            auto_release,
            "for a silent client: whether the platform will still release the milestone by itself, and when",
        ),
        Calculator(
            "arbitration_fee",
            ("arbitration_fee_high",),
            arbitration_fee,
            "true when the arbitration fee is more than half the milestone",
        ),
        Calculator(
            "due_passed",
            ("due_passed", "late_cancel_open", "new_due_time"),
            due_passed,
            "whether the order's due time has passed, whether the buyer can now cancel alone for lateness,"
            " and the new due time an extension asks for",
        ),
        Calculator(
            "invoice_lateness",
            (
                "days_late_signed",
                "days_late",
                "days_until_due",
                "invoice_timing",
                "has_late_fee",
                "has_link",
            ),
            invoice_lateness,
            "days late (negative before the due date), overdue / due_today / not_yet_due",
        ),
        Calculator(
            "late_fee",
            ("pay_by_on", "late_fee_computed", "late_fee", "late_fee_amount", "total_due"),
            late_fee,
            "the contract's late fee to date from the due date, the total, and a pay-by date for a final notice",
        ),
        Calculator(
            "timeline",
            (
                "future_dates_found",
                "future_dates",
                "dated_before_delivery_found",
                "dated_before_delivery",
                "delivery_date_text",
            ),
            timeline,
            "dates that cannot be right (always run): past events in the future, a request before the delivery",
        ),
        Calculator(
            "off_platform",
            ("off_platform_found", "off_platform_phrases"),
            off_platform,
            "on a marketplace, the buyer's words asking to move off the platform (always run)",
        ),
        Calculator("new_work", ("has_new_work",), new_work, "true when the client asks for new work before paying"),
        Calculator("respond_by", ("has_respond_by",), respond_by, "true when the seller gave the respond-by date"),
        Calculator("reply_by", ("reply_by_on",), reply_by, "a date a week from today for the other side to answer by"),
        Calculator(
            "deposit_split",
            ("earned", "refund_due", "owed", "client_owes", "refund_is_zero"),
            deposit_split,
            "the pro-rata split of a deposit against the work done",
        ),
    )
}


ALWAYS = ("timeline", "off_platform")  # run for every dispute type


def run_calculators(names: tuple[str, ...], inputs: Inputs) -> dict[str, Any]:
    """The values of the named calculators (and of ALWAYS), merged (a name given twice is a bug)."""
    merged: dict[str, Any] = {}
    for name in (*ALWAYS, *(name for name in names if name not in ALWAYS)):
        calculator = CALCULATORS[name]
        result = calculator.run(inputs)
        extra = set(result) - set(calculator.outputs)
        clash = set(result) & set(merged)
        if extra or clash:
            raise ValueError(f"calculator {name}: undeclared {sorted(extra)} or repeated {sorted(clash)} names")
        merged.update(result)
    return merged
