"""Platform facts (deadlines, limits, rules) loaded from `platform_facts.toml`, with source and as-of."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.disputes.engine.errors import FlowError

FACTS_PATH = Path(__file__).with_name("platform_facts.toml")
UNITS = ("", "hours", "days", "business_days", "percent", "USD")
CONFIDENCE = {
    "H": "official page",
    "M": "older official text or consistent user reports",
    "L": "a single report or a vendor blog",
}


@dataclass(frozen=True)
class Fact:
    """One platform fact. ``value`` is a number when ``unit`` is set, else a short text."""

    id: str
    value: int | float | str
    unit: str
    statement: str
    source: str
    as_of: str
    confidence: str

    @property
    def number(self) -> float:
        if isinstance(self.value, str):
            raise TypeError(f"fact {self.id} has no numeric value")
        return float(self.value)

    @property
    def text(self) -> str:
        """The value as people write it: '48 hours', '5 business days', '60%', '$50'."""
        if not self.unit:
            return str(self.value)
        number = int(self.number) if self.number.is_integer() else self.number
        return {
            "hours": f"{number} hours",
            "days": f"{number} days",
            "business_days": f"{number} business days",
            "percent": f"{number}%",
            "USD": f"${number}",
        }[self.unit]

    @property
    def as_of_note(self) -> str:
        return f"{self.source}, as of {self.as_of} (confidence {self.confidence})"

    def due(self, start: datetime) -> datetime:
        """The moment this duration runs out when it starts at ``start``."""
        if self.unit == "hours":
            return start + timedelta(hours=self.number)
        if self.unit == "days":
            return start + timedelta(days=self.number)
        if self.unit == "business_days":
            return add_business_days(start, int(self.number))
        raise TypeError(f"fact {self.id} is not a duration")


def add_business_days(start: datetime, days: int) -> datetime:
    """Add Monday-to-Friday days (public holidays are not known here: a caveat says so)."""
    moment = start
    added = 0
    while added < days:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            added += 1
    return moment


@dataclass(frozen=True)
class Facts:
    by_id: Mapping[str, Fact]

    def __getitem__(self, fact_id: str) -> Fact:
        return self.by_id[fact_id]

    def context(self) -> dict[str, dict[str, str]]:
        """Plain dicts for templates: facts[platform][name] -> {'text', 'as_of', 'source', ...}."""
        nested: dict[str, dict[str, Any]] = {}
        for fact in self.by_id.values():
            platform, name = fact.id.split(".", 1)
            nested.setdefault(platform, {})[name] = {
                "text": fact.text,
                "statement": fact.statement,
                "source": fact.source,
                "as_of": fact.as_of,
                "confidence": fact.confidence,
                "note": fact.as_of_note,
            }
        return nested


def parse_facts(data: Mapping[str, Any]) -> Facts:
    problems: list[str] = []
    facts: dict[str, Fact] = {}
    for platform, entries in data.items():
        for name, entry in entries.items():
            fact_id = f"{platform}.{name}"
            unit = str(entry.get("unit", ""))
            value = entry.get("value")
            if unit not in UNITS:
                problems.append(f"fact {fact_id}: unit {unit!r} is not one of {UNITS}")
            if unit and (isinstance(value, bool) or not isinstance(value, int | float)):
                problems.append(f"fact {fact_id}: a value with a unit must be a number")
            if not unit and not isinstance(value, str):
                problems.append(f"fact {fact_id}: a value without a unit must be text")
            if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", str(entry.get("as_of", ""))):
                problems.append(f"fact {fact_id}: as_of must be YYYY-MM or YYYY-MM-DD")
            if entry.get("confidence") not in CONFIDENCE:
                problems.append(f"fact {fact_id}: confidence must be H, M or L")
            for key in ("statement", "source"):
                if not str(entry.get(key, "")).strip():
                    problems.append(f"fact {fact_id}: {key} is empty")
            facts[fact_id] = Fact(
                fact_id,
                value if value is not None else "",
                unit,
                str(entry.get("statement", "")),
                str(entry.get("source", "")),
                str(entry.get("as_of", "")),
                str(entry.get("confidence", "")),
            )
    if problems:
        raise FlowError(problems)
    return Facts(MappingProxyType(facts))


@cache
def load_facts(path: Path = FACTS_PATH) -> Facts:
    """Load and validate the facts file once (cached)."""
    with path.open("rb") as handle:
        return parse_facts(tomllib.load(handle))
