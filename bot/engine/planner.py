"""Plan the outcome of a complete session: summary, deadlines, options, evidence, drafts, caveats."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.engine.context import build_context
from bot.engine.errors import InvalidAnswer, InvalidAnswers
from bot.engine.facts import Facts, load_facts
from bot.engine.flow import Flow
from bot.engine.outcome import TONES, Draft, Outcome
from bot.engine.plan_parts import CHECK_TERMS, DraftSpec, Plan, choose
from bot.engine.plans import conduct, orders, payments
from bot.engine.session import Session, applicable_questions, next_question
from bot.engine.wording import check_wording
from bot.rendering import render_template

PLANNERS: Mapping[str, Callable[[dict[str, Any], Facts, datetime], Plan]] = {
    "cancellation_after_delivery": orders.plan_cancellation,
    "scope_creep": orders.plan_scope_creep,
    "revision_loop": orders.plan_revision_loop,
    "partial_refund_demand": orders.plan_partial_refund,
    "deadline_trouble": conduct.plan_deadline_trouble,
    "leverage_threat": conduct.plan_leverage_threat,
    "negative_review": conduct.plan_negative_review,
    "escrow_withheld": payments.plan_escrow,
    "hourly_dispute": payments.plan_hourly,
    "chargeback": payments.plan_chargeback,
    "late_payment": payments.plan_late_payment,
    "deposit_refund": payments.plan_deposit_refund,
    "work_used_after_refund": payments.plan_work_used,
}

BASE_CAVEATS = (
    "Not legal advice: drafts are suggestions for you to edit and send yourself.",
    CHECK_TERMS,
    "Times are in UTC; business days skip weekends but not public holidays.",
)


@dataclass(frozen=True)
class PreparedPlan:
    """A plan with its template context: render it in any tone without planning again."""

    plan: Plan
    context: Mapping[str, Any]
    answers: Mapping[str, Any]

    def render(self, spec: DraftSpec, tone: str) -> Draft:
        text = render_template(spec.template, {**self.context, "tone": tone})
        return Draft(spec.id, spec.title, spec.audience, tone, text, spec.notes)


def _path_answers(flow: Flow, session: Session) -> dict[str, Any]:
    missing = next_question(flow, session)
    if missing is not None:
        raise InvalidAnswers([InvalidAnswer(missing.id, "not answered yet")])
    on_path = {question.id for question in applicable_questions(flow, session.answers)}
    return {key: value for key, value in session.answers.items() if key in on_path}


def prepare(flow: Flow, session: Session, *, now: datetime, facts: Facts | None = None) -> PreparedPlan:
    """Plan a complete session (raises InvalidAnswers if it is not complete)."""
    answers = _path_answers(flow, session)
    facts = facts or load_facts()
    context = build_context(answers, facts, now)
    context["_answers"] = answers
    plan = PLANNERS[answers["dispute_type"]](context, facts, now)
    return PreparedPlan(plan, context, answers)


def plan_outcome(
    flow: Flow, session: Session, *, now: datetime, tone: str | None = None, facts: Facts | None = None
) -> Outcome:
    """The outcome for a complete session, drafts in ``tone`` (default: the session's tone answer)."""
    prepared = prepare(flow, session, now=now, facts=facts)
    answers = prepared.answers
    chosen_tone = tone or str(answers.get("tone") or "neutral")
    if chosen_tone not in TONES:
        raise InvalidAnswer("tone", f"{chosen_tone!r} is not a tone", ", ".join(TONES))
    plan = prepared.plan
    drafts = tuple(prepared.render(spec, chosen_tone) for spec in plan.drafts)
    warnings = list(plan.warnings)
    threats = prepared.context.get("buyer_threats") or []
    if threats:
        warnings.append(
            "The buyer's message contains leverage or a threat ("
            + ", ".join(repr(t) for t in threats)
            + "): do not answer it in kind; quote it to support."
        )
    for draft in drafts:
        for warning in check_wording(draft.text, platform=answers["platform"], audience=draft.audience):
            warnings.append(f"Draft {draft.id}: {warning}")
    return Outcome(
        case=f"{answers['platform']}/{answers['dispute_type']}",
        summary=plan.summary,
        deadlines=tuple(sorted(plan.deadlines, key=lambda d: d.due)),
        options=choose(plan.options, str(answers.get("goal", "get_paid_in_full"))),
        evidence=tuple(plan.evidence),
        drafts=drafts,
        caveats=tuple(plan.caveats) + BASE_CAVEATS,
        warnings=tuple(warnings),
    )
