"""The advice as data: one playbook per dispute type in `playbooks/<dispute_type>.toml`.

A playbook says which options a case has and when, their pros and cons, which one serves which goal,
the deadlines, the evidence list, caveats, warnings, the summary and which drafts a case gets. Every
entry can carry the flow's ``when`` / ``unless`` conditions; every text can name values in braces:

    {order_value}              a value of the case (an answer, formatted by its kind; a calculator's
                               value; a value of the playbook's [values]; time_left of the first deadline)
    {fact:fiverr.late_cancel}  a platform fact's statement; .text (48 hours), .source, .as_of,
                               .confidence or .note ("source, as of ... (confidence H)") for the others
    {{ and }}                  literal braces

A text is a string, or a list of pieces (strings or ``{ text = "...", when = {...} }``) joined with
nothing in between; the pieces whose conditions hold are kept. Lists (pros, cons, evidence, caveats,
warnings) hold items, each a string or ``{ text = "...", when = {...}, unless = {...} }``.

This module loads and checks the structure (FlowError listing every problem) and renders texts;
`bot.disputes.engine.planner` applies a playbook to a case; `bot.disputes.engine.playbook_checks` validates references.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.disputes.engine.conditions import Condition
from bot.disputes.engine.errors import FlowError
from bot.disputes.engine.facts import Fact, Facts
from bot.disputes.engine.outcome import AUDIENCES

PLAYBOOKS_DIR = Path(__file__).with_name("playbooks")
COMMON_FILE = "_common.toml"
NOT_PLAYBOOKS = {"platforms.toml"}
FACT_FIELDS = ("statement", "text", "source", "as_of", "confidence", "note")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_FACT_REF = re.compile(r"^fact:([a-z0-9_]+\.[a-z0-9_]+)(?:\.([a-z_]+))?$")
_TOP_LEVEL = {"type", "calculators", "summary", "evidence", "caveats", "warnings", "seller_only", "fact_note"}
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class PlaybookError(FlowError):
    """A playbook needs a value the case does not have (a data bug; `check` finds it on some path)."""

    def __init__(self, problem: str) -> None:
        super().__init__([problem])


# ---------------------------------------------------------------- texts


@dataclass(frozen=True)
class Piece:
    """A text with placeholders, kept when its condition holds."""

    text: str
    condition: Condition = field(default_factory=Condition)


Text = tuple[Piece, ...]  # pieces joined with nothing in between
Items = tuple[Piece, ...]  # one item per piece


def placeholders(text: str) -> list[str]:
    """The names a text refers to, in order ('order_value', 'fact:fiverr.late_cancel.text')."""
    return [match.group(1).strip() for match in _PLACEHOLDER.finditer(text) if match.group(1) is not None]


def fact_value(facts: Facts, reference: str) -> str:
    """'fact:fiverr.late_cancel' -> its statement; 'fact:fiverr.late_cancel.text' -> '24 hours'."""
    match = _FACT_REF.match(reference)
    if match is None:
        raise PlaybookError(f"{{{reference}}} is not a fact reference like fact:fiverr.late_cancel.text")
    fact_id, attribute = match.group(1), match.group(2) or "statement"
    fact = facts.by_id.get(fact_id)
    if fact is None or attribute not in FACT_FIELDS:
        raise PlaybookError(f"{{{reference}}}: unknown fact or field")
    return fact_field(fact, attribute)


def fact_field(fact: Fact, attribute: str) -> str:
    if attribute == "text":
        return fact.text
    if attribute == "note":
        return fact.as_of_note
    return str(getattr(fact, attribute))


def render_text(text: str, values: Mapping[str, Any], facts: Facts) -> str:
    """Fill the placeholders of one text; a missing value is an error, never a blank."""

    def fill(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole in ("{{", "}}"):
            return whole[0]
        name = match.group(1).strip()
        if name.startswith("fact:"):
            return fact_value(facts, name)
        value = values.get(name)
        if value is None:
            raise PlaybookError(f"the text {text!r} needs {name!r}, which this case does not have")
        return str(value)

    return _PLACEHOLDER.sub(fill, text)


def render_pieces(pieces: Text, values: Mapping[str, Any], facts: Facts) -> str:
    return "".join(render_text(p.text, values, facts) for p in pieces if p.condition.holds(values))


def render_items(items: Items, values: Mapping[str, Any], facts: Facts) -> list[str]:
    return [render_text(p.text, values, facts) for p in items if p.condition.holds(values)]


# ---------------------------------------------------------------- the model


@dataclass(frozen=True)
class Goal:
    goal: str
    condition: Condition = field(default_factory=Condition)


@dataclass(frozen=True)
class OptionEntry:
    id: str
    title: Text
    pros: Items
    cons: Items
    goals: tuple[Goal, ...]
    condition: Condition
    gives_in: str = ""  # "always" or "under_threat": never the recommended option then (check enforces it)


@dataclass(frozen=True)
class Note:
    """A seller-facing note of a draft: a fact's as-of note, or a text."""

    fact: str
    text: str
    condition: Condition


def draft_template(draft_id: str) -> str:
    """Where a draft's wording lives, relative to templates/: one name per draft id."""
    return f"drafts/{draft_id}.j2"


@dataclass(frozen=True)
class DraftEntry:
    id: str
    title: Text
    audience: str
    notes: tuple[Note, ...]
    condition: Condition

    @property
    def template(self) -> str:
        return draft_template(self.id)


@dataclass(frozen=True)
class DeadlineEntry:
    """A running clock: a duration fact from an answered moment, or a due moment from an answer."""

    label: str
    fact: str  # the duration (with ``start``) or only the provenance (with ``due``)
    start: str  # a date / date-time answer the fact's duration runs from
    after: str  # a duration fact added to ``start`` first (delivery + auto-completion, then ...)
    due: str  # a date / date-time answer that is the due moment itself
    at: str  # "HH:MM" for a ``due`` date
    days: int  # with ``start`` and no fact: this many days after it (a reminder ladder's next step)
    source: str
    as_of: str
    confidence: str
    note_on: tuple[str, ...]  # drafts that get the fact's as-of note
    condition: Condition


@dataclass(frozen=True)
class Band:
    """A named value picked by a number: the last step whose ``from`` is at most the number."""

    name: str
    of: str
    steps: tuple[tuple[str, float | None], ...]


@dataclass(frozen=True)
class Playbook:
    type: str
    path: str
    calculators: tuple[str, ...]
    summary: Text
    values: tuple[tuple[str, Text], ...]
    bands: tuple[Band, ...]
    deadlines: tuple[DeadlineEntry, ...]
    options: tuple[OptionEntry, ...]
    drafts: tuple[DraftEntry, ...]
    evidence: Items
    caveats: Items
    warnings: Items


@dataclass(frozen=True)
class Common:
    """What every outcome shares (`playbooks/_common.toml`)."""

    values: tuple[tuple[str, Text], ...]
    caveats: Items
    warnings: Items
    fact_note: str
    fact_note_with_value: str
    seller_only: tuple[str, ...] = ()  # values no buyer-facing draft may state (check enforces it)


@dataclass(frozen=True)
class Playbooks:
    common: Common
    by_type: Mapping[str, Playbook]

    def __getitem__(self, dispute_type: str) -> Playbook:
        return self.by_type[dispute_type]


# ---------------------------------------------------------------- loading


class _Reader:
    """Reads one file's parsed TOML, collecting every structural problem."""

    def __init__(self, where: str, problems: list[str]) -> None:
        self.where = where
        self.problems = problems

    def problem(self, place: str, message: str) -> None:
        self.problems.append(f"{self.where}: {place}: {message}" if place else f"{self.where}: {message}")

    def keys(self, data: Mapping[str, Any], allowed: set[str], place: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            self.problem(place, f"unknown keys {unknown} (allowed: {', '.join(sorted(allowed))})")

    def condition(self, data: Mapping[str, Any], place: str) -> Condition:
        local: list[str] = []
        condition = Condition.from_data(data, place, local)
        for problem in local:
            self.problem("", problem)
        return condition

    def string(self, data: Mapping[str, Any], key: str, place: str, required: bool = True) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            self.problem(place, f"{key} must be a text")
            return ""
        if required and not value.strip():
            self.problem(place, f"{key} is missing or empty")
        return value

    def piece(self, raw: Any, place: str) -> Piece:
        if isinstance(raw, str):
            return Piece(raw)
        if isinstance(raw, dict):
            self.keys(raw, {"text", "when", "unless"}, place)
            return Piece(self.string(raw, "text", place), self.condition(raw, place))
        self.problem(place, f"expected a text or {{ text = ..., when = ... }}, got {raw!r}")
        return Piece("")

    def text(self, raw: Any, place: str, required: bool = True) -> Text:
        if raw is None:
            if required:
                self.problem(place, "is missing")
            return ()
        if isinstance(raw, list):
            return tuple(self.piece(item, f"{place} piece {n}") for n, item in enumerate(raw, 1))
        return (self.piece(raw, place),)

    def items(self, raw: Any, place: str) -> Items:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problem(place, "must be a list")
            return ()
        return tuple(self.piece(item, f"{place} item {n}") for n, item in enumerate(raw, 1))

    def names(self, raw: Any, place: str) -> tuple[str, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            self.problem(place, "must be a list of names")
            return ()
        return tuple(raw)

    def values(self, raw: Any) -> tuple[tuple[str, Text], ...]:
        if raw is None:
            return ()
        if not isinstance(raw, dict):
            self.problem("values", "must be a table of name = text")
            return ()
        out = []
        for name, text in raw.items():
            if name in _TOP_LEVEL:
                self.problem(
                    "values",
                    f"{name!r} is a playbook key: in TOML every key after a [values] header belongs to it, "
                    f"so write {name} above [values]",
                )
            if not _NAME.match(name):
                self.problem("values", f"{name!r} must be lower_snake_case")
            out.append((name, self.text(text, f"value {name}")))
        return tuple(out)


def _option(reader: _Reader, raw: Mapping[str, Any], n: int) -> OptionEntry:
    place = f"option {raw.get('id', n)}"
    reader.keys(raw, {"id", "title", "pros", "cons", "goals", "gives_in", "when", "unless"}, place)
    gives_in = raw.get("gives_in", "")
    if gives_in not in ("", "always", "under_threat"):
        reader.problem(place, "gives_in is 'always' or 'under_threat'")
    goals: list[Goal] = []
    for item in raw.get("goals", []) or []:
        if isinstance(item, str):
            goals.append(Goal(item))
        elif isinstance(item, dict):
            reader.keys(item, {"goal", "when", "unless"}, f"{place} goal")
            goals.append(Goal(reader.string(item, "goal", f"{place} goal"), reader.condition(item, place)))
        else:
            reader.problem(place, f"a goal must be a goal id or {{ goal = ..., when = ... }}, not {item!r}")
    return OptionEntry(
        reader.string(raw, "id", place),
        reader.text(raw.get("title"), f"{place} title"),
        reader.items(raw.get("pros"), f"{place} pros"),
        reader.items(raw.get("cons"), f"{place} cons"),
        tuple(goals),
        reader.condition(raw, place),
        str(gives_in),
    )


def _draft(reader: _Reader, raw: Mapping[str, Any], n: int) -> DraftEntry:
    place = f"draft {raw.get('id', n)}"
    reader.keys(raw, {"id", "title", "audience", "notes", "when", "unless"}, place)
    audience = reader.string(raw, "audience", place)
    if audience and audience not in AUDIENCES:
        reader.problem(place, f"audience {audience!r} is not one of {', '.join(AUDIENCES)}")
    notes: list[Note] = []
    for item in raw.get("notes", []) or []:
        if isinstance(item, dict) and ("fact" in item) != ("text" in item):
            reader.keys(item, {"fact", "text", "when", "unless"}, f"{place} note")
            notes.append(
                Note(
                    reader.string(item, "fact", place, required=False),
                    reader.string(item, "text", place, required=False),
                    reader.condition(item, f"{place} note"),
                )
            )
        else:
            reader.problem(place, f"a note is {{ fact = ... }} or {{ text = ... }} with when/unless, not {item!r}")
    return DraftEntry(
        reader.string(raw, "id", place),
        reader.text(raw.get("title"), f"{place} title"),
        audience,
        tuple(notes),
        reader.condition(raw, place),
    )


def _deadline(reader: _Reader, raw: Mapping[str, Any], n: int) -> DeadlineEntry:
    place = f"deadline {n}"
    allowed = {"label", "fact", "start", "after", "due", "at", "days", "source", "as_of", "confidence", "note_on"}
    reader.keys(raw, allowed | {"when", "unless"}, place)
    entry = DeadlineEntry(
        label=reader.string(raw, "label", place),
        fact=reader.string(raw, "fact", place, required=False),
        start=reader.string(raw, "start", place, required=False),
        after=reader.string(raw, "after", place, required=False),
        due=reader.string(raw, "due", place, required=False),
        at=reader.string(raw, "at", place, required=False),
        days=int(raw.get("days", 0)) if isinstance(raw.get("days", 0), int) else 0,
        source=reader.string(raw, "source", place, required=False),
        as_of=reader.string(raw, "as_of", place, required=False),
        confidence=reader.string(raw, "confidence", place, required=False),
        note_on=reader.names(raw.get("note_on"), f"{place} note_on"),
        condition=reader.condition(raw, place),
    )
    if bool(entry.start) == bool(entry.due):
        reader.problem(place, "give either start (with a duration fact) or due (an answered date), not both")
    if entry.start and not entry.fact and not entry.days:
        reader.problem(place, "start needs a duration fact or a number of days")
    if not entry.fact and not entry.source:
        reader.problem(place, "give a fact or a source")
    if entry.at and not _TIME.match(entry.at):
        reader.problem(place, f"at {entry.at!r} must be HH:MM")
    if entry.confidence and entry.confidence not in {"H", "M", "L"}:
        reader.problem(place, "confidence must be H, M or L")
    return entry


def _band(reader: _Reader, raw: Mapping[str, Any], n: int) -> Band:
    place = f"band {raw.get('name', n)}"
    reader.keys(raw, {"name", "of", "steps"}, place)
    steps: list[tuple[str, float | None]] = []
    for item in raw.get("steps", []) or []:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            reader.problem(place, f"a step is {{ value = ..., from = <number> }}, not {item!r}")
            continue
        start = item.get("from")
        if start is not None and (isinstance(start, bool) or not isinstance(start, int | float)):
            reader.problem(place, f"step {item['value']}: from must be a number")
            start = None
        steps.append((item["value"], None if start is None else float(start)))
    if not steps or steps[0][1] is not None:
        reader.problem(place, "the first step has no `from` (it applies below the second step's)")
    froms = [start for _, start in steps[1:]]
    if any(start is None for start in froms) or froms != sorted(froms):  # type: ignore[type-var]
        reader.problem(place, "every later step needs a `from`, in increasing order")
    return Band(reader.string(raw, "name", place), reader.string(raw, "of", place), tuple(steps))


def _tables(reader: _Reader, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    raw = data.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        reader.problem(key, "must be a list of tables ([[" + key + "]])")
        return []
    return raw


def parse_playbook(data: Mapping[str, Any], where: str, problems: list[str]) -> Playbook:
    reader = _Reader(where, problems)
    allowed = {"type", "calculators", "summary", "values", "bands", "deadlines", "options", "drafts"}
    reader.keys(data, allowed | {"evidence", "caveats", "warnings"}, "")
    playbook = Playbook(
        type=reader.string(data, "type", "type"),
        path=where,
        calculators=reader.names(data.get("calculators"), "calculators"),
        summary=reader.text(data.get("summary"), "summary"),
        values=reader.values(data.get("values")),
        bands=tuple(_band(reader, raw, n) for n, raw in enumerate(_tables(reader, data, "bands"), 1)),
        deadlines=tuple(_deadline(reader, raw, n) for n, raw in enumerate(_tables(reader, data, "deadlines"), 1)),
        options=tuple(_option(reader, raw, n) for n, raw in enumerate(_tables(reader, data, "options"), 1)),
        drafts=tuple(_draft(reader, raw, n) for n, raw in enumerate(_tables(reader, data, "drafts"), 1)),
        evidence=reader.items(data.get("evidence"), "evidence"),
        caveats=reader.items(data.get("caveats"), "caveats"),
        warnings=reader.items(data.get("warnings"), "warnings"),
    )
    if not playbook.options:
        reader.problem("", "a playbook needs at least one [[options]]")
    if not playbook.drafts:
        reader.problem("", "a playbook needs at least one [[drafts]]")
    return playbook


def parse_common(data: Mapping[str, Any], where: str, problems: list[str]) -> Common:
    reader = _Reader(where, problems)
    reader.keys(data, {"values", "caveats", "warnings", "fact_note", "fact_note_with_value", "seller_only"}, "")
    return Common(
        values=reader.values(data.get("values")),
        caveats=reader.items(data.get("caveats"), "caveats"),
        warnings=reader.items(data.get("warnings"), "warnings"),
        fact_note=reader.string(data, "fact_note", "fact_note"),
        fact_note_with_value=reader.string(data, "fact_note_with_value", "fact_note_with_value"),
        seller_only=reader.names(data.get("seller_only"), "seller_only"),
    )


def parse_playbooks(files: Mapping[str, Mapping[str, Any]]) -> Playbooks:
    """Build the playbooks from parsed TOML keyed by file name; raise FlowError listing every problem."""
    problems: list[str] = []
    common = parse_common(files.get(COMMON_FILE, {}), COMMON_FILE, problems)
    by_type: dict[str, Playbook] = {}
    for name, data in sorted(files.items()):
        if name == COMMON_FILE or name in NOT_PLAYBOOKS:
            continue
        playbook = parse_playbook(data, name, problems)
        if playbook.type in by_type:
            problems.append(f"{name}: type {playbook.type!r} is already in {by_type[playbook.type].path}")
        by_type[playbook.type] = playbook
    if COMMON_FILE not in files:
        problems.append(f"{COMMON_FILE} is missing")
    if problems:
        raise FlowError(problems)
    return Playbooks(common, MappingProxyType(by_type))


def read_playbook_files(directory: Path = PLAYBOOKS_DIR) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as handle:
            try:
                files[path.name] = tomllib.load(handle)
            except tomllib.TOMLDecodeError as exc:
                raise FlowError([f"{path.name}: {exc}"]) from None
    return files


@cache
def load_playbooks(directory: Path = PLAYBOOKS_DIR) -> Playbooks:
    """Load the playbooks once (cached); structural problems raise FlowError."""
    return parse_playbooks(read_playbook_files(directory))
