"""Building blocks of a plan: what a per-type planner returns, and shared helpers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.engine.answers import as_datetime
from bot.engine.context import hours_text
from bot.engine.facts import Fact, Facts
from bot.engine.outcome import CourseOfAction, Deadline

CHECK_TERMS = "Platform rules change: check the current terms before relying on this."


@dataclass(frozen=True)
class DraftSpec:
    """A draft to render: its template under templates/drafts/ and seller-facing notes."""

    id: str
    title: str
    audience: str
    notes: tuple[str, ...] = ()

    @property
    def template(self) -> str:
        return f"drafts/{self.id}.j2"


@dataclass(frozen=True)
class OptionSpec:
    id: str
    title: str
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    goals: tuple[str, ...] = ()  # the seller goals this option serves best, in no order


@dataclass
class Plan:
    """What a per-type planner decides; the planner turns it into an Outcome."""

    summary: str
    options: list[OptionSpec] = field(default_factory=list)
    drafts: list[DraftSpec] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def fact_note(fact: Fact) -> str:
    stated = f" ({fact.text})" if fact.unit else ""
    return f"States a platform rule{stated}: {fact.as_of_note}. {CHECK_TERMS}"


def deadline_from_fact(label: str, fact: Fact, start: datetime, now: datetime) -> Deadline:
    due = fact.due(start)
    return Deadline(label, due, (due - now).total_seconds() / 3600, fact.source, fact.as_of, fact.confidence)


def deadline_at(
    label: str, due: datetime, now: datetime, source: str, as_of: str, confidence: str = "H"
) -> Deadline:
    return Deadline(label, due, (due - now).total_seconds() / 3600, source, as_of, confidence)


def answer_time(ctx: Mapping[str, Any], key: str) -> datetime:
    """A date or date-time answer as an aware UTC datetime (dates at 00:00)."""
    moment = as_datetime(ctx["_answers"][key])
    if moment is None:
        raise KeyError(f"the plan needs {key!r}")
    return moment


def time_left(deadline: Deadline) -> str:
    return hours_text(deadline.hours_left) + ("" if deadline.passed else " left")


def choose(options: list[OptionSpec], goal: str) -> tuple[CourseOfAction, ...]:
    """Mark the first option serving the seller's goal as recommended (else the first option)."""
    best = next((o for o in options if goal in o.goals), options[0] if options else None)
    return tuple(CourseOfAction(o.id, o.title, o.pros, o.cons, o is best) for o in options)


def get(facts: Facts, fact_id: str) -> Fact:
    return facts[fact_id]


def require(ctx: Mapping[str, Any], *keys: str) -> None:
    """Fail loudly when the planner needs a value the path did not ask (a flow bug)."""
    missing = [key for key in keys if key not in ctx]
    if missing:
        raise KeyError(f"the plan needs {missing}, which the flow did not ask on this path")
