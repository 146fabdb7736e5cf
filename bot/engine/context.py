"""Turn answers into the plain values the planner and the templates use (formatted once, here)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.engine.answers import as_date, as_datetime
from bot.engine.facts import Facts
from bot.engine.wording import MARKETPLACES, buyer_threats

PLATFORM_NAMES = {
    "fiverr": "Fiverr",
    "upwork": "Upwork",
    "freelancer": "Freelancer.com",
    "peopleperhour": "PeoplePerHour",
    "direct": "direct client",
    "other": "the marketplace",
}
# The platform's own tool for priced new work (brief §2, type 2).
EXTRA_TOOLS = {
    "fiverr": "a custom extra on this order page",
    "upwork": "a new milestone on this contract",
    "freelancer": "a new milestone on this project",
    "peopleperhour": "a separate offer on PeoplePerHour",
    "other": "a separate offer on the platform",
    "direct": "a short change order",
}
SUPPORT_NAMES = {
    "fiverr": "Fiverr Customer Support",
    "upwork": "Upwork Support",
    "freelancer": "Freelancer.com Support",
    "peopleperhour": "PeoplePerHour Support",
    "other": "the platform's support team",
    "direct": "the payment provider",
}
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


def build_context(answers: Mapping[str, Any], facts: Facts, now: datetime) -> dict[str, Any]:
    """Plain, JSON-like values only (templates get no objects with methods)."""
    platform = str(answers["platform"])
    currency = str(answers.get("currency") or "USD")
    ctx: dict[str, Any] = {
        "platform": platform,
        "platform_name": PLATFORM_NAMES[platform],
        "is_marketplace": platform in MARKETPLACES,
        "is_fiverr": platform == "fiverr",
        "dispute_type": answers["dispute_type"],
        "goal": answers.get("goal", "get_paid_in_full"),
        "currency": currency,
        "extra_tool": EXTRA_TOOLS[platform],
        "support_name": SUPPORT_NAMES[platform],
        "today": day_text(now.date()),
        "facts": facts.context(),
    }
    for key, value in answers.items():
        if value is None or key in ctx:
            continue
        if key in {
            "order_value",
            "milestone_amount",
            "invoice_amount",
            "deposit_amount",
            "refund_asked",
            "max_refund",
            "extra_price",
        }:
            ctx[key] = money(float(value), currency)
            ctx[f"{key}_amount"] = float(value)
        elif key.endswith("_at"):
            moment = as_datetime(value)
            assert moment is not None
            ctx[key.removesuffix("_at") + "_on"] = day_text(moment.date())
            ctx[key.removesuffix("_at") + "_time"] = moment_text(moment)
        elif key.endswith("_date"):
            day = as_date(value)
            assert day is not None
            ctx[key.removesuffix("_date") + "_on"] = day_text(day)
        elif isinstance(value, float) and value.is_integer():
            ctx[key] = int(value)
        else:
            ctx[key] = value
    if "revisions_used" in answers:
        ctx["revisions_exhausted"] = answers["revisions_used"] >= answers["revisions_included"]
    message = answers.get("buyer_message")
    if isinstance(message, str):
        ctx["buyer_quote"] = message if len(message) <= 400 else message[:397].rstrip() + "..."
        ctx["buyer_threats"] = buyer_threats(message)
    return ctx
