"""Plan the outcome of a complete session by applying its dispute type's playbook.

The order is fixed: the answers formatted by their kinds, then the playbook's calculators, bands,
deadlines (which give ``time_left`` of the first one), the shared and then the playbook's values;
each step only adds new names to a fresh mapping, so nothing is overwritten. Then the summary,
options, drafts, evidence, caveats and warnings are read off the playbook with that one mapping,
which is also the drafts' template context.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from types import MappingProxyType
from typing import Any

from bot.disputes.engine.answers import as_date, as_datetime
from bot.disputes.engine.calculators import Inputs, run_calculators
from bot.disputes.engine.context import build_context, hours_text, moment_text
from bot.disputes.engine.errors import InvalidAnswer, InvalidAnswers
from bot.disputes.engine.facts import Fact, Facts, load_facts
from bot.disputes.engine.flow import Flow
from bot.disputes.engine.outcome import CourseOfAction, Deadline, Draft, Outcome
from bot.disputes.engine.platforms import Platforms, load_platforms
from bot.disputes.engine.playbook import (
    Band,
    Common,
    DeadlineEntry,
    Playbook,
    PlaybookError,
    Playbooks,
    draft_template,
    load_playbooks,
    render_items,
    render_pieces,
    render_text,
)
from bot.disputes.engine.session import Session, applicable_questions, next_question
from bot.disputes.engine.wording import check_wording
from bot.rendering import render_template
from bot.tones import TONES


@dataclass(frozen=True)
class DraftSpec:
    """A draft to render: its template under templates/drafts/ and seller-facing notes."""

    id: str
    title: str
    audience: str
    notes: tuple[str, ...] = ()

    @property
    def template(self) -> str:
        return draft_template(self.id)


@dataclass(frozen=True)
class OptionSpec:
    id: str
    title: str
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    goals: tuple[str, ...] = ()  # the seller goals this option serves best, in no order
    gives_in: bool = False  # yields to a threat or leverage on this case: never to be recommended


@dataclass(frozen=True)
class Plan:
    """What the playbook gives for one case."""

    summary: str
    options: tuple[OptionSpec, ...]
    drafts: tuple[DraftSpec, ...]
    deadlines: tuple[Deadline, ...]
    evidence: tuple[str, ...]
    caveats: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class PreparedPlan:
    """A plan with its template context: render it in any tone without planning again."""

    plan: Plan
    context: Mapping[str, Any]
    answers: Mapping[str, Any]

    def render(self, spec: DraftSpec, tone: str) -> Draft:
        text = render_template(spec.template, {**self.context, "tone": tone})
        return Draft(spec.id, spec.title, spec.audience, tone, text, spec.notes)


def choose(options: tuple[OptionSpec, ...], goal: str) -> tuple[CourseOfAction, ...]:
    """Mark the first option serving the seller's goal as recommended (else the first option)."""
    best = next((o for o in options if goal in o.goals), options[0] if options else None)
    return tuple(CourseOfAction(o.id, o.title, o.pros, o.cons, o is best) for o in options)


def time_left(deadline: Deadline) -> str:
    return hours_text(deadline.hours_left) + ("" if deadline.passed else " left")


def _path_answers(flow: Flow, session: Session) -> dict[str, Any]:
    missing = next_question(flow, session)
    if missing is not None:
        raise InvalidAnswers([InvalidAnswer(missing.id, "not answered yet")])
    on_path = {question.id for question in applicable_questions(flow, session.answers)}
    return {key: value for key, value in session.answers.items() if key in on_path}


def _add(values: dict[str, Any], new: Mapping[str, Any], source: str) -> None:
    clash = sorted(set(new) & set(values))
    if clash:
        raise PlaybookError(f"{source} gives {clash}, which the case already has")
    values.update(new)


def _band_value(band: Band, values: Mapping[str, Any]) -> str:
    number = values.get(band.of)
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise PlaybookError(f"band {band.name} needs the number {band.of!r}")
    chosen = band.steps[0][0]
    for value, start in band.steps[1:]:
        if start is not None and number >= start:
            chosen = value
    return chosen


def _moment(answers: Mapping[str, Any], key: str) -> datetime:
    moment = as_datetime(answers.get(key))
    if moment is None:
        raise PlaybookError(f"a deadline needs the answer {key!r}, which this case does not have")
    return moment


def _deadline(
    entry: DeadlineEntry, answers: Mapping[str, Any], values: Mapping[str, Any], facts: Facts, now: datetime
) -> Deadline:
    fact = facts[entry.fact] if entry.fact else None
    if entry.start and entry.days:
        due = _moment(answers, entry.start) + timedelta(days=entry.days)
    elif entry.start:
        assert fact is not None
        start = _moment(answers, entry.start)
        if entry.after:
            start = facts[entry.after].due(start)
        due = fact.due(start)
    elif entry.at:
        hour, minute = (int(part) for part in entry.at.split(":"))
        day = as_date(answers.get(entry.due))
        if day is None:
            raise PlaybookError(f"a deadline needs the answer {entry.due!r}, which this case does not have")
        due = datetime.combine(day, time(hour, minute), tzinfo=now.tzinfo)
    else:
        due = _moment(answers, entry.due)
    return Deadline(
        render_text(entry.label, values, facts),
        due,
        (due - now).total_seconds() / 3600,
        render_text(entry.source, values, facts) if entry.source else fact.source if fact else "",
        render_text(entry.as_of, values, facts) if entry.as_of else fact.as_of if fact else "",
        entry.confidence or (fact.confidence if fact else "H"),
    )


def fact_note(common: Common, fact: Fact, values: Mapping[str, Any], facts: Facts) -> str:
    """The seller-facing note of a draft that states a platform rule."""
    own = {"value": fact.text, "note": fact.as_of_note, "source": fact.source, "as_of": fact.as_of}
    template = common.fact_note_with_value if fact.unit else common.fact_note
    return render_text(template, ChainMap(own, dict(values)), facts)


def plan_case(
    playbook: Playbook,
    common: Common,
    base: Mapping[str, Any],
    answers: Mapping[str, Any],
    facts: Facts,
    platforms: Platforms,
    now: datetime,
) -> tuple[Plan, Mapping[str, Any]]:
    """Apply one playbook to one case: the plan and the (read-only) template context."""
    values: dict[str, Any] = dict(base)
    inputs = Inputs(answers, facts, now, platforms.platform(str(answers["platform"])))
    _add(values, run_calculators(playbook.calculators, inputs), "a calculator")
    for band in playbook.bands:
        _add(values, {band.name: _band_value(band, values)}, f"band {band.name}")
    deadlines: list[Deadline] = []
    noted: dict[str, list[Fact]] = {}  # the facts of the deadlines that each draft notes
    for entry in playbook.deadlines:
        if entry.condition.holds(values):
            deadlines.append(_deadline(entry, answers, values, facts, now))
            if entry.fact:
                for draft_id in entry.note_on:
                    noted.setdefault(draft_id, []).append(facts[entry.fact])
    _add(values, {"has_deadline": bool(deadlines)}, "the deadlines")
    if deadlines:
        first = deadlines[0]
        _add(
            values,
            {"time_left": time_left(first), "deadline_passed": first.passed, "deadline_due": moment_text(first.due)},
            "the deadlines",
        )
    for name, text in (*common.values, *playbook.values):
        _add(values, {name: render_pieces(text, values, facts)}, f"value {name}")

    options = tuple(
        OptionSpec(
            option.id,
            render_pieces(option.title, values, facts),
            tuple(render_items(option.pros, values, facts)),
            tuple(render_items(option.cons, values, facts)),
            tuple(goal.goal for goal in option.goals if goal.condition.holds(values)),
            option.gives_in == "always"
            or (option.gives_in == "under_threat" and bool(values.get("has_buyer_threats"))),
        )
        for option in playbook.options
        if option.condition.holds(values)
    )
    drafts = []
    for draft in playbook.drafts:
        if not draft.condition.holds(values):
            continue
        notes = [fact_note(common, fact, values, facts) for fact in noted.get(draft.id, ())]
        notes += [
            fact_note(common, facts[note.fact], values, facts) if note.fact else render_text(note.text, values, facts)
            for note in draft.notes
            if note.condition.holds(values)
        ]
        title = render_pieces(draft.title, values, facts)
        drafts.append(DraftSpec(draft.id, title, draft.audience, tuple(notes)))
    plan = Plan(
        summary=render_pieces(playbook.summary, values, facts),
        options=options,
        drafts=tuple(drafts),
        deadlines=tuple(deadlines),
        evidence=tuple(render_items(playbook.evidence, values, facts)),
        caveats=(*render_items(playbook.caveats, values, facts), *render_items(common.caveats, values, facts)),
        warnings=(*render_items(playbook.warnings, values, facts), *render_items(common.warnings, values, facts)),
    )
    return plan, MappingProxyType(values)


def prepare(
    flow: Flow,
    session: Session,
    *,
    now: datetime,
    facts: Facts | None = None,
    playbooks: Playbooks | None = None,
    platforms: Platforms | None = None,
) -> PreparedPlan:
    """Plan a complete session (raises InvalidAnswers if it is not complete)."""
    answers = _path_answers(flow, session)
    facts = facts or load_facts()
    playbooks = playbooks or load_playbooks()
    platforms = platforms or load_platforms()
    base = build_context(flow, answers, facts, platforms, now)
    playbook = playbooks[str(answers["dispute_type"])]
    plan, context = plan_case(playbook, playbooks.common, base, answers, facts, platforms, now)
    return PreparedPlan(plan, context, MappingProxyType(answers))


def plan_outcome(
    flow: Flow,
    session: Session,
    *,
    now: datetime,
    tone: str | None = None,
    facts: Facts | None = None,
    playbooks: Playbooks | None = None,
) -> Outcome:
    """The outcome for a complete session, drafts in ``tone`` (default: the session's tone answer)."""
    prepared = prepare(flow, session, now=now, facts=facts, playbooks=playbooks)
    answers = prepared.answers
    chosen_tone = tone or str(answers.get("tone") or "neutral")
    if chosen_tone not in TONES:
        raise InvalidAnswer("tone", f"{chosen_tone!r} is not a tone", ", ".join(TONES))
    plan = prepared.plan
    drafts = tuple(prepared.render(spec, chosen_tone) for spec in plan.drafts)
    warnings = list(plan.warnings)
    for draft in drafts:
        for warning in check_wording(draft.text, platform=answers["platform"], audience=draft.audience):
            warnings.append(f"Draft {draft.id}: {warning}")
    return Outcome(
        case=f"{answers['platform']}/{answers['dispute_type']}",
        summary=plan.summary,
        deadlines=tuple(sorted(plan.deadlines, key=lambda d: d.due)),
        options=choose(plan.options, str(answers.get("goal", "get_paid_in_full"))),
        evidence=plan.evidence,
        drafts=drafts,
        caveats=plan.caveats,
        warnings=tuple(warnings),
    )
