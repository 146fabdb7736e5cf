"""Enumerate the paths through the flow, for `check` and the tests.

Choice and yes/no questions branch on every option that applies. Free-form questions take
representative values: the question's `samples` from the flow when it declares some (chosen so
that every rule of the planner that reads a number or a date is exercised), else one value per
kind. This keeps enumeration complete for the branching answers without exploding.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.discord_limits import MODAL_FIELDS
from bot.disputes.engine.answers import AnswerValue, parse_answer
from bot.disputes.engine.flow import MAX_PAGES_PER_PATH, Flow, Question
from bot.disputes.engine.session import applicable_questions

_KIND_SAMPLES: Mapping[str, tuple[Any, ...]] = {
    "money": ("1500",),
    "date": ("2 days ago",),
    "datetime": ("30 hours ago",),
    "short_text": ("the agreed items",),
    "long_text": ("I am not satisfied, please cancel the order.",),
}

# Values that make the planner take each of its numeric / date branches.
SAMPLES: Mapping[str, tuple[Any, ...]] = {
    "order_value": ("40", "1500"),
    "revisions_used": (2, 5),
    "revisions_included": (5,),
    "invoice_due_date": ("in 1 day", "2 days ago", "10 days ago", "20 days ago", "45 days ago"),
    "currency": ("EUR",),
    "payment_link": ("https://example.com/pay/041", None),
    "late_fee_terms": ("1.5% per month", "a flat 40 on overdue invoices", None),
    "final_step": ("a claim through a collection agency", None),
    "false_claims": ("delivered on time on 2026-11-18", None),
    "package_contents": ("a logo in three concepts and the source files", None),
    "review_delivery_date": ("12 days ago",),
    "rating": (1,),
    "work_done_percent": (20, 80),
    "deposit_amount": ("500",),
    "extra_days": (3,),
    "refund_asked": ("600",),
    "max_refund": ("0", "300"),
    "refund_offer": ("200", None),
    "hours_manual": (0, 3),
    "hours_disputed": (10,),
    "invoice_number": ("INV-2026-041",),
    "new_work_asked": ("a PDF export of the reports", None),
    "requested_change": (None,),  # the new-work variant is pinned by the cases (cancellation_after_delivery-3)
    "new_work_price": ("250",),
    "new_work_days": (4,),
    "invoice_ref": ("INV-2026-031 of 1 Nov 2026",),
    "approval_date": ("9 days ago",),
    "live_url": ("https://example.com/shop",),
    "delivered_at": ("10 days ago",),
    "due_at": ("in 20 hours", "5 hours ago", "30 hours ago"),
    "buyer_message": (
        "I am not satisfied, please cancel the order.",
        "Do this for free or I will cancel and leave a 1-star review. Or pay me on WhatsApp.",
    ),
    "tone": ("neutral",),
    "signature_name": (None,),  # the signed variant is pinned by the cases
    "signature_sign_off": (None,),  # every draft is rendered in every tone anyway
}
# Per dispute type, where one type needs a value the others do not (a milestone past auto-release).
SAMPLES_BY_TYPE: Mapping[tuple[str, str], tuple[Any, ...]] = {
    ("escrow_withheld", "delivered_at"): ("10 days ago", "20 days ago"),
    ("scope_creep", "extra_days"): (3, None),
    ("revision_loop", "extra_days"): (3, None),
    ("leverage_threat", "extra_days"): (3, None),
    ("cancellation_after_delivery", "request_received_at"): ("30 hours ago", "3 days ago"),
    # 4 days: a Fiverr order still open when the request came (10 days: it had completed by itself)
    ("cancellation_after_delivery", "delivered_at"): ("10 days ago", "4 days ago"),
    ("cancellation_after_delivery", "last_delivery_at"): (None, "5 days ago"),
    ("chargeback", "response_due_at"): ("in 5 days", "2 days ago", None),
    ("negative_review", "review_posted_at"): ("2 days ago", "40 days ago"),
    ("hourly_dispute", "request_received_at"): ("30 hours ago", "6 days ago"),
    ("escrow_withheld", "request_received_at"): ("30 hours ago", "9 days ago"),
}


def candidates(question: Question, answers: Mapping[str, Any]) -> tuple[Any, ...]:
    """The values explored for one question given the answers so far."""
    by_type = SAMPLES_BY_TYPE.get((str(answers.get("dispute_type")), question.id))
    if by_type is not None:
        return by_type
    if question.id in SAMPLES and question.kind in {"choice", "multi_choice"}:
        return SAMPLES[question.id]
    if question.kind in {"choice", "multi_choice"}:
        return tuple(option.value for option in question.options_for(answers))
    if question.kind == "yes_no":
        return (True, False)
    if question.id in SAMPLES:
        return SAMPLES[question.id]
    if question.kind == "number":
        return (question.default if question.default is not None else int(question.minimum or 1),)
    return _KIND_SAMPLES[question.kind]


def explore(
    flow: Flow,
    *,
    now: datetime,
    dispute_types: Collection[str] | None = None,
    every_goal: bool = False,
    goal_types: Collection[str] = (),
) -> Iterator[dict[str, AnswerValue | None]]:
    """Yield one complete answers dict per path (depth first, in flow order), optionally of some types only.

    The seller's goal opens no question and most drafts ignore it, so paths take the goal question's
    default unless ``every_goal`` or the type is one of ``goal_types`` (a [values] entry reads the goal);
    the goal rule of `check` looks at every goal on each path anyway.
    """

    questions = flow.questions

    def walk(answers: dict[str, AnswerValue | None], start: int) -> Iterator[dict[str, AnswerValue | None]]:
        # Conditions only read earlier questions (the flow refuses others), so a question passed over
        # stays passed over: scan on from the last one answered instead of re-deciding the whole path.
        index = next((i for i in range(start, len(questions)) if questions[i].condition.holds(answers)), None)
        if index is None:
            yield dict(answers)
            return
        pending = questions[index]
        values = candidates(pending, answers)
        if pending.id == "goal" and not every_goal and answers.get("dispute_type") not in goal_types:
            values = (pending.default if pending.default is not None else values[0],)
        for raw in values:
            if pending.id == "dispute_type" and dispute_types is not None and raw not in dispute_types:
                continue
            if raw is None:
                yield from walk({**answers, pending.id: None}, index + 1)
                continue
            parsed = parse_answer(pending, raw, now=now, answers=answers)
            yield from walk({**answers, pending.id: parsed.value}, index + 1)

    yield from walk({}, 0)


@dataclass(frozen=True)
class PathShape:
    """How long one path is, for the 'about a minute' rule."""

    fields: int
    pages: int
    largest_page: int


def shape(flow: Flow, answers: Mapping[str, Any]) -> PathShape:
    asked = list(applicable_questions(flow, answers))
    pages: dict[str, int] = {}
    for question in asked:
        pages[question.page] = pages.get(question.page, 0) + 1
    return PathShape(len(asked), len(pages), max(pages.values(), default=0))


def shape_problems(flow: Flow, answers: Mapping[str, Any]) -> list[str]:
    """Problems of one path against the flow's limits (pages per path, fields per page)."""
    path_shape = shape(flow, answers)
    where = f"path {answers.get('platform')}/{answers.get('dispute_type')}"
    problems = []
    if path_shape.pages > MAX_PAGES_PER_PATH:
        problems.append(f"{where}: {path_shape.pages} pages, at most {MAX_PAGES_PER_PATH}")
    if path_shape.largest_page > MODAL_FIELDS:
        problems.append(f"{where}: a page with {path_shape.largest_page} fields, at most {MODAL_FIELDS}")
    return problems
