"""Turn answers into the plain values the playbooks and the templates use (formatted once, here).

Which answers are amounts and which are dates comes from the question kinds in `flow.toml`: a
``money`` answer ``x`` gives ``x`` ("$1,500") and ``x_amount`` (1500.0); a ``datetime`` answer
``y_at`` gives ``y_on`` ("18 Nov 2026") and ``y_time`` ("18 Nov 2026, 12:00 UTC"); a ``date`` answer
``y_at`` or ``y_date`` gives ``y_on``. Platform names and tools come from `playbooks/platforms.toml`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from bot.disputes.engine.answers import as_date, as_datetime, is_date_only
from bot.disputes.engine.facts import Facts
from bot.disputes.engine.flow import Flow
from bot.disputes.engine.platforms import Platforms

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def money(amount: float, currency: str) -> str:
    """'$1,500', '€900.50', '1,200 CHF'."""
    number = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency}"


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def moment_text(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def hours_text(hours: float) -> str:
    """'about 18 hours', '2 days 4 hours', 'passed 3 hours ago'."""
    if hours < 0:
        return f"passed {hours_text(-hours)} ago"
    whole = round(hours)
    if whole < 48:
        return f"about {whole} hour{'s' if whole != 1 else ''}"
    days, rest = divmod(whole, 24)
    return f"{days} days" + (f" {rest} hours" if rest else "")


def date_stem(question_id: str) -> str:
    """'delivered_at' -> 'delivered', 'invoice_due_date' -> 'invoice_due'."""
    for suffix in ("_at", "_date"):
        if question_id.endswith(suffix):
            return question_id.removesuffix(suffix)
    return question_id


def answer_names(flow: Flow, question_id: str) -> tuple[str, ...]:
    """The context names one answer gives, by the question's kind (and has_<id> for an optional one)."""
    question = flow.question(question_id)
    kind = question.kind if question else ""
    names: tuple[str, ...] = (question_id,)
    if kind == "money":
        names = (question_id, f"{question_id}_amount")
    elif kind == "datetime":
        names = (f"{date_stem(question_id)}_on", f"{date_stem(question_id)}_time")
    elif kind == "date":
        names = (f"{date_stem(question_id)}_on",)
    elif kind == "number" and question_id.endswith("_days"):
        names = (question_id, f"{question_id}_text")
    optional = question is not None and not question.required
    return names + ((f"has_{question_id}",) if optional else ())


BASE_NAMES = (
    "platform",
    "platform_name",
    "platform_sentence_name",
    "is_marketplace",
    "is_fiverr",
    "dispute_type",
    "goal",
    "currency",
    "extra_tool",
    "support_name",
    "platform_place",
    "buyer_word",
    "order_word",
    "delivered_via",
    "new_offer",
    "platform_terms",
    "extra_sent",
    "extra_accept",
    "processor_name",
    "withdraw_via",
    "today",
    "facts",
)


def build_context(
    flow: Flow, answers: Mapping[str, Any], facts: Facts, platforms: Platforms, now: datetime
) -> Mapping[str, Any]:
    """Plain, JSON-like values only (templates get no objects with methods); a new read-only mapping."""
    platform_id = str(answers["platform"])
    platform = platforms.platform(platform_id)
    currency = str(answers.get("currency") or "USD")
    ctx: dict[str, Any] = {
        "platform": platform_id,
        "platform_name": platform.name,
        "platform_sentence_name": platform.sentence_name,
        "is_marketplace": platform.marketplace,
        "is_fiverr": platform_id == "fiverr",
        "dispute_type": answers["dispute_type"],
        "goal": answers.get("goal", "get_paid_in_full"),
        "currency": currency,
        "extra_tool": platform.extra_tool,
        "support_name": platform.support,
        "platform_place": platform.place,
        "buyer_word": platform.buyer,
        "order_word": platform.order,
        "delivered_via": platform.delivered_via,
        "new_offer": platform.new_offer,
        "platform_terms": platform.terms,
        "extra_sent": platform.extra_sent,
        "extra_accept": platform.extra_accept,
        "today": day_text(now.date()),
        "facts": facts.context(),
    }
    processor = answers.get("payment_processor")
    if isinstance(processor, str):
        ctx["processor_name"] = platforms.processor(processor).name
        ctx["withdraw_via"] = platforms.processor(processor).withdraw_via
    for key, value in answers.items():
        question = flow.question(key)
        if question is not None and not question.required:
            ctx[f"has_{key}"] = value is not None  # an optional answer given or left empty
        if value is None or key in ctx:
            continue
        kind = question.kind if question else ""
        if kind == "money":
            ctx[key] = money(float(value), currency)
            ctx[f"{key}_amount"] = float(value)
        elif kind == "datetime":
            moment = as_datetime(value)
            assert moment is not None
            ctx[date_stem(key) + "_on"] = day_text(moment.date())
            ctx[date_stem(key) + "_time"] = day_text(moment.date()) if is_date_only(value) else moment_text(moment)
        elif kind == "date":
            day = as_date(value)
            assert day is not None
            ctx[date_stem(key) + "_on"] = day_text(day)
        elif isinstance(value, float) and value.is_integer():
            ctx[key] = int(value)
        else:
            ctx[key] = value
        if kind == "number" and key.endswith("_days"):  # '1 day', '3 days'
            ctx[f"{key}_text"] = f"{ctx[key]} day" + ("" if ctx[key] == 1 else "s")
    return MappingProxyType(ctx)
