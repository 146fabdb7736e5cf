"""Checks of a reply's values against the platform's own rules, read from the engine's facts file.

A template names the checks it needs (``rules = ["partial_refund_limits"]``); each returns the
variable to ask again and why. The limits themselves live in ``bot/disputes/engine/platform_facts.toml``
(the same facts the dispute engine shows), never here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal

from bot.disputes.engine.facts import load_facts
from bot.replies.typed_values import Money, format_money

Problem = tuple[str, str]
Rule = Callable[[Mapping[str, object], str | None], list[Problem]]


def _usd(amount: float) -> Money:
    return Money(Decimal(str(amount)), "USD")


def partial_refund_limits(values: Mapping[str, object], platform: str | None) -> list[Problem]:
    """Fiverr: active orders over the minimum, at most the capped share of the base price, at least
    the minimum amount. Elsewhere: the refund stays below what was paid or funded."""
    if values.get("still_open") is False:
        where = "Customer Support" if platform == "fiverr" else "the platform's support"
        return [
            ("still_open", f"a partial refund is offered on an open order or milestone; once it is closed, ask {where}")
        ]
    base, refund = values.get("order_amount"), values.get("refund_amount")
    if not isinstance(base, Money) or not isinstance(refund, Money):
        return []
    if refund.currency != base.currency:
        return [("refund_amount", f"use the same currency as the order amount ({base.currency})")]
    if refund.amount >= base.amount:
        return [
            (
                "refund_amount",
                f"{format_money(refund)} is the whole order amount or more; "
                "offer less, or accept the cancellation instead",
            )
        ]
    if platform != "fiverr":
        return []
    facts = load_facts()
    cap = facts["fiverr.partial_refund_max_percent"]
    min_order = facts["fiverr.partial_refund_min_order"]
    min_refund = facts["fiverr.partial_refund_min_amount"]
    note = f"(Fiverr's rule as of {cap.as_of}; check the current terms)"
    if base.currency != "USD":
        return []  # the limits are stated in US dollars; the text tells the seller to check them
    if base.amount <= Decimal(str(min_order.number)):
        return [
            (
                "order_amount",
                f"Fiverr offers partial refunds only on orders over {format_money(_usd(min_order.number))} {note}; "
                "accept the cancellation or ask Customer Support instead",
            )
        ]
    most = (base.amount * Decimal(str(cap.number)) / 100).quantize(Decimal("0.01"))
    if refund.amount > most:
        return [
            (
                "refund_amount",
                f"on Fiverr a partial refund is at most {cap.text} of the base price, here "
                f"{format_money(Money(most, 'USD'))} {note}",
            )
        ]
    if refund.amount < Decimal(str(min_refund.number)):
        return [
            ("refund_amount", f"on Fiverr a partial refund is at least {format_money(_usd(min_refund.number))} {note}")
        ]
    return []


def settlement_within_deposit(values: Mapping[str, object], platform: str | None) -> list[Problem]:
    """What is returned of a deposit is at most the deposit."""
    deposit, returned = values.get("deposit"), values.get("settlement_amount")
    if isinstance(deposit, Money) and isinstance(returned, Money) and returned.amount > deposit.amount:
        return [("settlement_amount", f"{format_money(returned)} is more than the {format_money(deposit)} deposit")]
    return []


def away_before_back(values: Mapping[str, object], platform: str | None) -> list[Problem]:
    """Time off ends after it starts."""
    away, back = values.get("away_from"), values.get("back_on")
    if isinstance(away, date) and isinstance(back, date) and back <= away:
        return [("back_on", "the day you're back has to come after the first day away")]
    return []


RULES: Mapping[str, Rule] = {
    "away_before_back": away_before_back,
    "partial_refund_limits": partial_refund_limits,
    "settlement_within_deposit": settlement_within_deposit,
}


def check_rules(names: Iterable[str], values: Mapping[str, object], platform: str | None) -> list[Problem]:
    problems: list[Problem] = []
    for name in names:
        problems += RULES[name](values, platform)
    return problems
