"""Validate the playbooks against the flow, the facts, the platforms and the templates.

Static rules (one pass over the data) are here; the rules that need every path (an option never
reachable, a draft never offered, a goal without a recommended option) are collected while `check`
walks the paths (`PathCoverage`, used by `bot.disputes.engine.checks`). Every problem names its rule, so
that a test can assert which rule fired.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.disputes.engine.calculators import ALWAYS, CALCULATORS
from bot.disputes.engine.conditions import Condition
from bot.disputes.engine.context import BASE_NAMES, answer_names
from bot.disputes.engine.facts import Facts
from bot.disputes.engine.flow import Flow, Question
from bot.disputes.engine.platforms import Platforms
from bot.disputes.engine.playbook import (
    FACT_FIELDS,
    Items,
    Playbook,
    Playbooks,
    Text,
    placeholders,
)
from bot.rendering import TEMPLATES_DIR

DURATION_UNITS = {"hours", "days", "business_days"}
# Given by the planner once the deadlines are known (of the first deadline).
ENGINE_NAMES = ("has_deadline", "time_left", "deadline_passed", "deadline_due")
CONDITION_KINDS = {"choice", "multi_choice", "yes_no", "number"}

RULES = {
    "unknown-type": "a playbook for a dispute type the flow does not have, or a type without a playbook",
    "unknown-platform": "a platform or processor of the flow missing from platforms.toml",
    "unknown-calculator": "a calculator that does not exist",
    "unknown-fact": "a fact reference that is not in platform_facts.toml (or is not a duration where one is needed)",
    "unknown-answer": "a condition or a text naming a value this dispute type never has",
    "unknown-value": "a condition on a value that the answer can never take",
    "unknown-goal": "a goal that is not an option of the goal question",
    "unknown-draft": "a draft without a template, or a note for a draft the playbook does not have",
    "duplicate-id": "two options or two drafts with the same id in one playbook",
    "unreachable-option": "an option that no path of the flow offers",
    "draft-never-offered": "a draft (or a template) that no path of the flow offers",
    "no-option-for-goal": "a path where no option serves one of the seller's goals",
    "gives-in-recommended": "an option marked gives_in (yielding to a threat) recommended for some goal",
}


@dataclass(frozen=True)
class Problem:
    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message} [{self.rule}]"


def type_questions(flow: Flow, dispute_type: str) -> list[Question]:
    """The questions that can be asked for one dispute type (by their dispute_type conditions)."""
    asked = []
    for question in flow.questions:
        when = question.condition.when.get("dispute_type")
        unless = question.condition.unless.get("dispute_type", ())
        if (when is None or dispute_type in when) and dispute_type not in unless:
            asked.append(question)
    return asked


@dataclass
class _Names:
    """What a text or a condition of one playbook may name, and the values a name can take."""

    text: set[str] = field(default_factory=set)
    allowed: dict[str, set[Any] | None] = field(default_factory=dict)  # None: any value


def _names(flow: Flow, playbook: Playbook, playbooks: Playbooks) -> _Names:
    names = _Names()
    names.text.update(BASE_NAMES, ENGINE_NAMES)
    for question in type_questions(flow, playbook.type):
        names.text.update(answer_names(flow, question.id))
        if question.kind in {"choice", "multi_choice"}:
            names.allowed[question.id] = {option.value for option in question.options}
        elif question.kind == "yes_no":
            names.allowed[question.id] = {True, False}
        elif question.kind == "number":
            names.allowed[question.id] = None
        if not question.required:
            names.allowed[f"has_{question.id}"] = {True, False}
    for key in ("is_marketplace", "is_fiverr", "has_deadline", "deadline_passed"):
        names.allowed[key] = {True, False}
    for calculator in (*ALWAYS, *playbook.calculators):
        if calculator in CALCULATORS:
            names.text.update(CALCULATORS[calculator].outputs)
            for output in CALCULATORS[calculator].outputs:
                names.allowed[output] = None
    for band in playbook.bands:
        names.text.add(band.name)
        names.allowed[band.name] = {value for value, _ in band.steps}
    for name, _ in (*playbooks.common.values, *playbook.values):
        names.text.add(name)
        names.allowed[name] = None
    return names


def _texts(playbook: Playbook) -> Iterable[tuple[str, str, Condition]]:
    """Every text and condition of a playbook, with where it is."""

    def pieces(where: str, text: Text | Items) -> Iterable[tuple[str, str, Condition]]:
        for piece in text:
            yield where, piece.text, piece.condition

    yield from pieces("summary", playbook.summary)
    for name, value in playbook.values:
        yield from pieces(f"value {name}", value)
    for n, deadline in enumerate(playbook.deadlines, 1):
        for line in (deadline.label, deadline.source, deadline.as_of):
            yield f"deadline {n}", line, deadline.condition
    for option in playbook.options:
        where = f"option {option.id}"
        yield where, "", option.condition
        for part in (option.title, option.pros, option.cons):
            yield from pieces(where, part)
        for goal in option.goals:
            yield where, "", goal.condition
    for draft in playbook.drafts:
        where = f"draft {draft.id}"
        yield where, "", draft.condition
        yield from pieces(where, draft.title)
        for note in draft.notes:
            yield where, note.text, note.condition
    for name, items in (("evidence", playbook.evidence), ("caveats", playbook.caveats)):
        yield from pieces(name, items)
    yield from pieces("warnings", playbook.warnings)


def _check_reference(reference: str, facts: Facts) -> str | None:
    """None when a {fact:...} reference is good, else what is wrong."""
    body = reference.removeprefix("fact:")
    parts = body.split(".")
    fact_id = ".".join(parts[:2])
    if fact_id not in facts.by_id:
        return f"unknown fact {fact_id!r}"
    if len(parts) > 3 or (len(parts) == 3 and parts[2] not in FACT_FIELDS):
        return f"{{{reference}}}: a fact field is one of {', '.join(FACT_FIELDS)}"
    return None


def _check_condition(
    condition: Condition, names: _Names, where: str, problems: list[Problem], text_names: set[str]
) -> None:
    for key, wanted in {**condition.when, **condition.unless}.items():
        if key not in names.allowed:
            reason = "a value that cannot be compared" if key in text_names else "a value this type never has"
            problems.append(Problem("unknown-answer", where, f"condition on {key!r}, {reason}"))
            continue
        allowed = names.allowed[key]
        if allowed is not None:
            flags = any(isinstance(value, bool) for value in allowed)
            bad = [value for value in wanted if value not in allowed or isinstance(value, bool) != flags]
            if bad:
                problems.append(Problem("unknown-value", where, f"{key} is never {bad}"))


def validate_playbooks(playbooks: Playbooks, flow: Flow, facts: Facts, platforms: Platforms) -> list[Problem]:
    """Every static problem of the playbooks, platforms.toml and their references."""
    problems: list[Problem] = []
    types = {option.value for option in flow.by_id["dispute_type"].options}
    goals = {option.value for option in flow.by_id["goal"].options}
    for dispute_type in sorted(types - set(playbooks.by_type)):
        problems.append(Problem("unknown-type", f"playbooks/{dispute_type}.toml", "missing: the flow offers this type"))
    for dispute_type in sorted(set(playbooks.by_type) - types):
        where = playbooks.by_type[dispute_type].path
        problems.append(Problem("unknown-type", where, f"type {dispute_type!r} is not an option of dispute_type"))
    for option in flow.by_id["platform"].options:
        if option.value not in platforms.platforms:
            problems.append(Problem("unknown-platform", "platforms.toml", f"no [platforms.{option.value}]"))
    processor_question = flow.question("payment_processor")
    for option in processor_question.options if processor_question else ():
        if option.value not in platforms.processors:
            problems.append(Problem("unknown-platform", "platforms.toml", f"no [processors.{option.value}]"))

    for where, items in (("caveats", playbooks.common.caveats), ("warnings", playbooks.common.warnings)):
        for piece in items:
            for reference in placeholders(piece.text):
                if reference.startswith("fact:") and (wrong := _check_reference(reference, facts)):
                    problems.append(Problem("unknown-fact", f"_common.toml: {where}", wrong))

    templates = {path.stem for path in (TEMPLATES_DIR / "drafts").glob("*.j2") if not path.stem.startswith("_")}
    used_templates: set[str] = set()
    for playbook in playbooks.by_type.values():
        if playbook.type not in types:
            continue
        problems += _validate_one(playbook, playbooks, flow, facts, goals, templates)
        used_templates.update(draft.id for draft in playbook.drafts)
    for template in sorted(templates - used_templates):
        problems.append(
            Problem("draft-never-offered", f"templates/drafts/{template}.j2", "no playbook offers this draft")
        )
    return problems


def _validate_one(
    playbook: Playbook, playbooks: Playbooks, flow: Flow, facts: Facts, goals: set[str], templates: set[str]
) -> list[Problem]:
    problems: list[Problem] = []
    file = playbook.path
    names = _names(flow, playbook, playbooks)
    for calculator in playbook.calculators:
        if calculator not in CALCULATORS:
            problems.append(
                Problem(
                    "unknown-calculator", f"{file}: calculators", f"{calculator!r} (known: {', '.join(CALCULATORS)})"
                )
            )
    for where, text, condition in _texts(playbook):
        place = f"{file}: {where}"
        for reference in placeholders(text):
            if reference.startswith("fact:"):
                if wrong := _check_reference(reference, facts):
                    problems.append(Problem("unknown-fact", place, wrong))
            elif reference not in names.text:
                problems.append(Problem("unknown-answer", place, f"{{{reference}}} names a value this type never has"))
        _check_condition(condition, names, place, problems, names.text)
    dates = {q.id for q in type_questions(flow, playbook.type) if q.kind in {"date", "datetime"}}
    for n, deadline in enumerate(playbook.deadlines, 1):
        place = f"{file}: deadline {n}"
        for fact_id, duration in ((deadline.fact, bool(deadline.start)), (deadline.after, True)):
            if not fact_id:
                continue
            fact = facts.by_id.get(fact_id)
            if fact is None:
                problems.append(Problem("unknown-fact", place, f"unknown fact {fact_id!r}"))
            elif duration and fact.unit not in DURATION_UNITS:
                problems.append(Problem("unknown-fact", place, f"{fact_id} is not a duration ({fact.text})"))
        for answer in (deadline.start, deadline.due):
            if answer and answer not in dates:
                problems.append(Problem("unknown-answer", place, f"{answer!r} is not a date this type asks"))
        drafts = {draft.id for draft in playbook.drafts}
        for draft_id in deadline.note_on:
            if draft_id not in drafts:
                problems.append(Problem("unknown-draft", place, f"note_on {draft_id!r}: no such draft here"))
    for kind, ids in (("option", [o.id for o in playbook.options]), ("draft", [d.id for d in playbook.drafts])):
        for repeated in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(Problem("duplicate-id", file, f"two {kind}s named {repeated!r}"))
    for option in playbook.options:
        for goal in option.goals:
            if goal.goal not in goals:
                problems.append(Problem("unknown-goal", f"{file}: option {option.id}", f"{goal.goal!r} is not a goal"))
    for draft in playbook.drafts:
        if draft.id not in templates:
            problems.append(Problem("unknown-draft", f"{file}: draft {draft.id}", f"no templates/drafts/{draft.id}.j2"))
        for note in draft.notes:
            if note.fact and note.fact not in facts.by_id:
                problems.append(Problem("unknown-fact", f"{file}: draft {draft.id}", f"unknown fact {note.fact!r}"))
    return problems


@dataclass
class PathCoverage:
    """What the walk saw: options and drafts offered per type, and goals left without an option."""

    goals: tuple[str, ...]
    options: dict[str, set[str]] = field(default_factory=dict)
    drafts: dict[str, set[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    _seen_goal_gaps: set[tuple[str, str, str]] = field(default_factory=set)

    def see(self, dispute_type: str, answers: Mapping[str, Any], options: Iterable[Any], drafts: Iterable[Any]) -> None:
        option_list = list(options)
        self.options.setdefault(dispute_type, set()).update(option.id for option in option_list)
        self.drafts.setdefault(dispute_type, set()).update(draft.id for draft in drafts)
        served = {goal for option in option_list for goal in option.goals}
        for goal in self.goals:
            best = next((o for o in option_list if goal in o.goals), option_list[0] if option_list else None)
            gives_in_key = (dispute_type, goal, f"gives-in:{best.id if best else ''}")
            if best is not None and getattr(best, "gives_in", False) and gives_in_key not in self._seen_goal_gaps:
                self._seen_goal_gaps.add(gives_in_key)
                self.problems.append(
                    Problem(
                        "gives-in-recommended",
                        f"playbooks/{dispute_type}.toml: option {best.id}",
                        f"recommended for {goal!r} although it gives in to a threat (e.g. {_path_text(answers)})",
                    )
                )
            if goal in served:
                continue
            case = f"{answers.get('platform')}/{dispute_type}"
            key = (dispute_type, goal, ",".join(o.id for o in option_list))
            if key not in self._seen_goal_gaps:
                self._seen_goal_gaps.add(key)
                self.problems.append(
                    Problem(
                        "no-option-for-goal",
                        f"playbooks/{dispute_type}.toml",
                        f"on {case} with options {[o.id for o in option_list]}, no option serves {goal!r}"
                        f" (e.g. {_path_text(answers)})",
                    )
                )

    def finish(self, playbooks: Playbooks, walked_types: Iterable[str]) -> list[Problem]:
        problems = list(self.problems)
        for dispute_type in walked_types:
            playbook = playbooks.by_type.get(dispute_type)
            if playbook is None:
                continue
            for option in playbook.options:
                if option.id not in self.options.get(dispute_type, set()):
                    problems.append(
                        Problem("unreachable-option", f"{playbook.path}: option {option.id}", "no path offers it")
                    )
            for draft in playbook.drafts:
                if draft.id not in self.drafts.get(dispute_type, set()):
                    problems.append(
                        Problem("draft-never-offered", f"{playbook.path}: draft {draft.id}", "no path offers it")
                    )
        return problems


def _path_text(answers: Mapping[str, Any]) -> str:
    shown = {key: value for key, value in answers.items() if key not in {"tone", "goal"}}
    text = ", ".join(f"{key}={value}" for key, value in shown.items())
    return text if len(text) <= 300 else text[:297] + "..."
