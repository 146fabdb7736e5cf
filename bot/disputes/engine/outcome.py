"""The outcome of a questionnaire: frozen values, and their JSON shape for scripts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

AUDIENCES = ("buyer", "support", "public", "processor", "mediator")


@dataclass(frozen=True)
class Deadline:
    """A running clock from the platform facts (or from the notice the seller received)."""

    label: str
    due: datetime
    hours_left: float
    source: str
    as_of: str
    confidence: str

    @property
    def passed(self) -> bool:
        return self.hours_left < 0


@dataclass(frozen=True)
class CourseOfAction:
    """One option open to the seller, with what it costs."""

    id: str
    title: str
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    recommended: bool = False


@dataclass(frozen=True)
class Draft:
    """A ready-to-edit message. ``notes`` are for the seller (as-of dates, what to check), not to send."""

    id: str
    title: str
    audience: str
    tone: str
    text: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    case: str
    summary: str
    deadlines: tuple[Deadline, ...]
    options: tuple[CourseOfAction, ...]
    evidence: tuple[str, ...]
    drafts: tuple[Draft, ...]
    caveats: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def recommended(self) -> CourseOfAction | None:
        return next((option for option in self.options if option.recommended), None)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of `python -m bot draft --format json`."""
        return {
            "case": self.case,
            "summary": self.summary,
            "deadlines": [
                {
                    "label": d.label,
                    "due": d.due.isoformat(),
                    "hours_left": round(d.hours_left, 1),
                    "source": d.source,
                    "as_of": d.as_of,
                    "confidence": d.confidence,
                }
                for d in self.deadlines
            ],
            "options": [
                {
                    "id": o.id,
                    "title": o.title,
                    "pros": list(o.pros),
                    "cons": list(o.cons),
                    "recommended": o.recommended,
                }
                for o in self.options
            ],
            "evidence": list(self.evidence),
            "drafts": [
                {
                    "id": d.id,
                    "title": d.title,
                    "audience": d.audience,
                    "tone": d.tone,
                    "text": d.text,
                    "notes": list(d.notes),
                }
                for d in self.drafts
            ],
            "caveats": list(self.caveats),
            "warnings": list(self.warnings),
        }
