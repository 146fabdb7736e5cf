"""The questionnaire as data: `flow.toml` loaded into frozen dataclasses and validated on load.

Every label is checked against Discord's limits so that any front end (terminal, Discord modal,
select menu) can show it as is.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.disputes.engine.conditions import Condition
from bot.disputes.engine.errors import FlowError

FLOW_PATH = Path(__file__).with_name("flow.toml")

KINDS = ("choice", "multi_choice", "yes_no", "number", "money", "date", "datetime", "short_text", "long_text")
FORMATS = ("", "iso4217", "url")
CHOICE_KINDS = frozenset({"choice", "multi_choice"})

# Discord limits (see ARCHITECTURE.md §3).
MAX_PROMPT = 45  # a modal's ui.Label text
MAX_HELP = 100  # a ui.Label description
MAX_OPTION_LABEL = 100
MAX_OPTION_DESCRIPTION = 100
MAX_OPTIONS = 25
MAX_PLACEHOLDER = 100
MAX_TEXT_INPUT = 4000
MAX_PAGES_PER_PATH = 10

_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Option:
    """One allowed value of a choice question."""

    value: str
    label: str
    description: str = ""
    condition: Condition = field(default_factory=Condition)


@dataclass(frozen=True)
class Question:
    """One question: what to ask, how to validate it, and when it applies."""

    id: str
    prompt: str
    help: str
    kind: str
    page: str
    options: tuple[Option, ...] = ()
    condition: Condition = field(default_factory=Condition)
    required: bool = True
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    placeholder: str = ""
    format: str = ""
    prompt_by_type: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def option(self, value: str) -> Option | None:
        return next((option for option in self.options if option.value == value), None)

    def prompt_for(self, answers: Mapping[str, Any]) -> str:
        """The prompt, worded for the dispute type when the flow gives a variant."""
        dispute_type = answers.get("dispute_type")
        if isinstance(dispute_type, str) and dispute_type in self.prompt_by_type:
            return self.prompt_by_type[dispute_type]
        return self.prompt

    def options_for(self, answers: Mapping[str, Any]) -> tuple[Option, ...]:
        """The options that apply given the answers so far."""
        return tuple(option for option in self.options if option.condition.holds(answers))


_PATHS_KEPT = 4096


@dataclass(frozen=True)
class Flow:
    """The whole questionnaire, in asking order."""

    version: int
    questions: tuple[Question, ...]
    by_id: Mapping[str, Question] = field(init=False, repr=False, compare=False)
    #: The path for each set of answers seen recently: a step asks for it several times (the next
    #: question, its page, pruning), and every seller on a common path asks for the same ones.
    _paths: OrderedDict[tuple[tuple[str, Any], ...], tuple[Question, ...]] = field(
        init=False, repr=False, compare=False
    )
    #: The answers some question's condition reads: the path depends on these alone, so an amount
    #: or the buyer's words (different for every seller) do not make a path of their own.
    _steering: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", MappingProxyType({q.id: q for q in self.questions}))
        object.__setattr__(self, "_paths", OrderedDict())
        object.__setattr__(self, "_steering", frozenset().union(*(q.condition.keys for q in self.questions)))

    def question(self, question_id: str) -> Question | None:
        return self.by_id.get(question_id)

    def path(self, answers: Mapping[str, Any]) -> tuple[Question, ...]:
        """The questions on the path given these answers, in asking order (remembered per answers)."""
        key = tuple(
            sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in answers.items() if k in self._steering)
        )
        try:
            found = self._paths[key]
        except (KeyError, TypeError):  # TypeError: an answer value that cannot be a key
            found = tuple(question for question in self.questions if question.condition.holds(answers))
            with contextlib.suppress(TypeError):
                self._paths[key] = found
                if len(self._paths) > _PATHS_KEPT:
                    self._paths.popitem(last=False)
        else:
            self._paths.move_to_end(key)
        return found


def _text(data: Mapping[str, Any], key: str, where: str, problems: list[str], limit: int, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        problems.append(f"{where}: {key} must be text")
        return ""
    if required and not value.strip():
        problems.append(f"{where}: {key} is empty")
    if len(value) > limit:
        problems.append(f"{where}: {key} is {len(value)} chars, Discord allows {limit}: {value!r}")
    return value


def _option(data: Mapping[str, Any], where: str, problems: list[str]) -> Option:
    value = _text(data, "value", where, problems, MAX_OPTION_LABEL)
    if value and not _ID_RE.match(value):
        problems.append(f"{where}: option value {value!r} must be lower_snake_case")
    return Option(
        value=value,
        label=_text(data, "label", f"{where} option {value}", problems, MAX_OPTION_LABEL),
        description=_text(
            data, "description", f"{where} option {value}", problems, MAX_OPTION_DESCRIPTION, required=False
        ),
        condition=Condition.from_data(data, f"{where} option {value}", problems),
    )


def _question(data: Mapping[str, Any], problems: list[str]) -> Question:
    qid = str(data.get("id", ""))
    where = f"question {qid or '?'}"
    if not _ID_RE.match(qid):
        problems.append(f"{where}: id must be lower_snake_case")
    kind = str(data.get("kind", ""))
    if kind not in KINDS:
        problems.append(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    variants = data.get("prompt_by_type", {})
    for type_id, text in variants.items():
        _text({"prompt": text}, "prompt", f"{where} prompt for {type_id}", problems, MAX_PROMPT)
    minimum, maximum = data.get("min"), data.get("max")
    return Question(
        id=qid,
        prompt=_text(data, "prompt", where, problems, MAX_PROMPT),
        help=_text(data, "help", where, problems, MAX_HELP),
        kind=kind,
        page=str(data.get("page", qid)),
        options=tuple(_option(item, where, problems) for item in data.get("options", [])),
        condition=Condition.from_data(data, where, problems),
        required=bool(data.get("required", True)),
        default=data.get("default"),
        minimum=float(minimum) if minimum is not None else None,
        maximum=float(maximum) if maximum is not None else None,
        max_length=int(data["max_length"]) if "max_length" in data else None,
        placeholder=_text(data, "placeholder", where, problems, MAX_PLACEHOLDER, required=False),
        format=str(data.get("format", "")),
        prompt_by_type=MappingProxyType(dict(variants)),
    )


def _check_question(question: Question, earlier: Mapping[str, Question], problems: list[str]) -> None:
    where = f"question {question.id}"
    if question.kind in CHOICE_KINDS:
        if not 2 <= len(question.options) <= MAX_OPTIONS:
            problems.append(f"{where}: a choice needs 2 to {MAX_OPTIONS} options, has {len(question.options)}")
        values = [option.value for option in question.options]
        if len(set(values)) != len(values):
            problems.append(f"{where}: duplicate option values")
    elif question.options:
        problems.append(f"{where}: only choice questions have options")
    if question.kind in {"short_text", "long_text"} and not 1 <= (question.max_length or 0) <= MAX_TEXT_INPUT:
        problems.append(f"{where}: text needs max_length between 1 and {MAX_TEXT_INPUT}")
    if question.format not in FORMATS:
        problems.append(f"{where}: format {question.format!r} is not one of {FORMATS}")
    if question.minimum is not None and question.maximum is not None and question.minimum > question.maximum:
        problems.append(f"{where}: min is above max")
    conditions = [(where, question.condition)] + [
        (f"{where} option {option.value}", option.condition) for option in question.options
    ]
    for place, condition in conditions:
        for key, wanted in {**condition.when, **condition.unless}.items():
            source = earlier.get(key)
            if source is None:
                problems.append(f"{place}: condition on {key!r}, which is not an earlier question")
                continue
            if source.page == question.page:
                problems.append(f"{place}: condition on {key!r}, which is on the same page")
            if source.kind in CHOICE_KINDS:
                unknown = [value for value in wanted if source.option(str(value)) is None]
                if unknown:
                    problems.append(f"{place}: {key} has no option {unknown}")
            elif source.kind == "yes_no" and not all(isinstance(value, bool) for value in wanted):
                problems.append(f"{place}: condition on yes/no {key!r} needs true/false")
    for type_id in question.prompt_by_type:
        dispute_type = earlier.get("dispute_type")
        if dispute_type is None or dispute_type.option(type_id) is None:
            problems.append(f"{where}: prompt variant for unknown dispute type {type_id!r}")


def _check_pages(questions: tuple[Question, ...], problems: list[str]) -> None:
    """Pages are runs of consecutive questions; their size is checked per path (see paths.py)."""
    seen: set[str] = set()
    previous = ""
    for question in questions:
        if question.page != previous and question.page in seen:
            problems.append(f"page {question.page!r}: its questions must be consecutive in the flow")
        seen.add(question.page)
        previous = question.page


def parse_flow(data: Mapping[str, Any]) -> Flow:
    """Build and validate a flow from parsed TOML; raise FlowError listing every problem."""
    problems: list[str] = []
    questions = tuple(_question(item, problems) for item in data.get("questions", []))
    earlier: dict[str, Question] = {}
    for question in questions:
        if question.id in earlier:
            problems.append(f"question {question.id}: duplicate id")
        _check_question(question, earlier, problems)
        earlier[question.id] = question
    _check_pages(questions, problems)
    for required in ("platform", "dispute_type", "goal", "tone"):
        if required not in earlier:
            problems.append(f"the flow must ask {required!r}")
    if problems:
        raise FlowError(problems)
    flow = Flow(version=int(data.get("version", 1)), questions=questions)
    from bot.disputes.engine.answers import check_defaults  # local import: answers depends on this module

    check_defaults(flow)
    return flow


@cache
def load_flow(path: Path = FLOW_PATH) -> Flow:
    """Load the flow file once (cached) and validate it."""
    with path.open("rb") as handle:
        return parse_flow(tomllib.load(handle))
