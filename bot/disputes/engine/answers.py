"""Validate one answer against its question and turn it into a plain JSON-able value.

Raw answers come as text (what a person typed or picked) or as JSON values (scripts). Canonical
values: choice -> str, multi_choice -> list[str], yes_no -> bool, number -> int | float,
money -> int | float (two decimals at most), date -> "YYYY-MM-DD",
datetime -> "YYYY-MM-DDTHH:MM:SS+00:00" (UTC), text -> str.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bot.disputes.engine import parsing
from bot.disputes.engine.errors import FlowError, InvalidAnswer

if TYPE_CHECKING:
    from bot.disputes.engine.flow import Flow, Question

AnswerValue = str | bool | int | float | list[str]


@dataclass(frozen=True)
class Parsed:
    """A canonical value plus answers implied by it (a money text naming its currency)."""

    value: AnswerValue
    implied: Mapping[str, AnswerValue]


def allowed_text(question: Question, answers: Mapping[str, Any] | None = None) -> str:
    """A short description of what the question accepts, for error messages."""
    if question.kind in {"choice", "multi_choice"}:
        values = ", ".join(o.value for o in question.options_for(answers or {}) or question.options)
        return ("one of " if question.kind == "choice" else "any of ") + values
    bounds = ""
    if question.minimum is not None or question.maximum is not None:
        low = "" if question.minimum is None else _plain(question.minimum)
        high = "" if question.maximum is None else _plain(question.maximum)
        bounds = f" from {low or '...'} to {high or '...'}"
    return {
        "yes_no": "yes or no",
        "number": "a number" + bounds,
        "money": "an amount like 1500, 1,500.50 or $1.5k" + bounds,
        "date": "a date like 2026-11-27, 'yesterday' or '3 days ago'",
        "datetime": "a date-time like 2026-11-27T14:00:00Z, 'yesterday 14:00' or '30 hours ago'",
        "short_text": f"text up to {question.max_length} characters",
        "long_text": f"text up to {question.max_length} characters",
    }[question.kind] + (" (a 3-letter ISO 4217 code like USD)" if question.format == "iso4217" else "")


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _number_value(value: Decimal | float | int) -> int | float:
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else round(as_float, 2)


def _check_bounds(question: Question, value: float) -> None:
    if question.minimum is not None and value < question.minimum:
        raise ValueError(f"{_plain(value)} is below the minimum {_plain(question.minimum)}")
    if question.maximum is not None and value > question.maximum:
        raise ValueError(f"{_plain(value)} is above the maximum {_plain(question.maximum)}")


def _choice(question: Question, raw: Any, answers: Mapping[str, Any]) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"{raw!r} is not an option")
    allowed = question.options_for(answers)
    text = raw.strip()
    for option in allowed:
        if text in {option.value, option.label} or text.lower() == option.value:
            return option.value
    if question.option(text.lower()) is not None:
        raise ValueError(f"{text!r} does not apply here")
    raise ValueError(f"{text!r} is not an option")


def _parse(question: Question, raw: Any, now: datetime, answers: Mapping[str, Any]) -> Parsed:
    implied: dict[str, AnswerValue] = {}
    kind = question.kind
    if kind == "choice":
        return Parsed(_choice(question, raw, answers), implied)
    if kind == "multi_choice":
        items = raw if isinstance(raw, list) else [part for part in str(raw).split(",") if part.strip()]
        chosen = {_choice(question, item, answers) for item in items}
        return Parsed([o.value for o in question.options if o.value in chosen], implied)
    if kind == "yes_no":
        if isinstance(raw, bool):
            return Parsed(raw, implied)
        if not isinstance(raw, str):
            raise ValueError(f"{raw!r} is not yes or no")
        return Parsed(parsing.parse_yes_no(raw), implied)
    if kind in {"number", "money"}:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise ValueError(f"{raw!r} is not a number")
        if kind == "number":
            number: float = raw if not isinstance(raw, str) else parsing.parse_number(raw)
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError("not a finite number")
            _check_bounds(question, number)
            return Parsed(_number_value(number), implied)
        if isinstance(raw, str):
            money = parsing.parse_money(raw)
        else:
            if raw != raw or raw in (float("inf"), float("-inf")) or raw < 0:
                raise ValueError(f"{raw!r} is not a non-negative amount")
            if raw > parsing.MAX_AMOUNT:
                raise ValueError(f"{raw!r} is too large an amount")
            money = parsing.Money(Decimal(str(raw)).quantize(Decimal("0.01")), None)
        _check_bounds(question, float(money.amount))
        if money.currency:
            implied["currency"] = money.currency
        return Parsed(_number_value(money.amount), implied)
    if kind == "date":
        if not isinstance(raw, str):
            raise ValueError(f"{raw!r} is not a date")
        return Parsed(parsing.parse_date(raw, now=now).isoformat(), implied)
    if kind == "datetime":
        if not isinstance(raw, str):
            raise ValueError(f"{raw!r} is not a date-time")
        day_only = parsing.date_only(raw, now=now)
        if day_only is not None:  # a date without a time stays a date: no time is ever invented for it
            return Parsed(day_only.isoformat(), implied)
        return Parsed(parsing.parse_datetime(raw, now=now).isoformat(), implied)
    if not isinstance(raw, str):
        raise ValueError(f"{raw!r} is not text")
    text = raw.strip()
    if not text:
        raise ValueError("the answer is empty")
    if question.max_length is not None and len(text) > question.max_length:
        raise ValueError(f"{len(text)} characters, at most {question.max_length}")
    if question.format == "iso4217":
        if text.upper() not in parsing.ISO_4217:
            raise ValueError(f"{text!r} is not a currency code")
        text = text.upper()
    if question.format == "url" and not text.lower().startswith(("https://", "http://")):
        raise ValueError(f"{text!r} is not a link starting with https://")
    return Parsed(text, implied)


def parse_answer(question: Question, raw: Any, *, now: datetime, answers: Mapping[str, Any] | None = None) -> Parsed:
    """Validate ``raw`` for ``question``; raise InvalidAnswer naming the question and what is allowed."""
    context = answers or {}
    try:
        return _parse(question, raw, now, context)
    except ValueError as exc:
        raise InvalidAnswer(question.id, str(exc), allowed_text(question, context)) from None


def as_datetime(value: Any) -> datetime | None:
    """Read a canonical date or date-time answer back as an aware datetime (dates at 00:00 UTC)."""
    if not isinstance(value, str):
        return None
    parsed = datetime.fromisoformat(value)
    if isinstance(parsed, datetime) and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def is_date_only(value: Any) -> bool:
    """A date-time answer given as a date alone ("2026-11-10"): rendered without a time."""
    return isinstance(value, str) and len(value) == 10


def as_date(value: Any) -> date | None:
    moment = as_datetime(value)
    return moment.date() if moment else None


def check_defaults(flow: Flow) -> None:
    """Every default must itself be a valid answer (checked when the flow loads)."""
    problems: list[str] = []
    reference = datetime(2026, 1, 1, tzinfo=UTC)
    for question in flow.questions:
        if question.default is None:
            continue
        try:
            parse_answer(question, question.default, now=reference)
        except InvalidAnswer as exc:
            problems.append(f"question {question.id}: default {question.default!r} is invalid: {exc.problem}")
    if problems:
        raise FlowError(problems)
