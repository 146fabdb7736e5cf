"""Validation of what a seller types into /profile: plain values in, clean values or a clear error out."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.disputes.engine.parsing import parse_money
from bot.errors import DisputeDeskError

PLATFORMS = {
    "fiverr": "Fiverr",
    "upwork": "Upwork",
    "freelancer": "Freelancer.com",
    "peopleperhour": "PeoplePerHour",
    "direct": "Direct client",
    "other": "Another marketplace",
}
COMMON_CURRENCIES = ("USD", "EUR", "GBP", "INR", "PKR", "BDT", "NGN", "PHP", "CAD", "AUD", "BRL", "UAH")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_AMOUNT = Decimal("1000000")


class InvalidProfileValue(DisputeDeskError):
    """A profile value that can't be used; the message says what is allowed."""


def clean_text(field_label: str, value: str, limit: int) -> str:
    text = " ".join(value.split())
    if not text:
        raise InvalidProfileValue(f"{field_label} can't be empty.")
    if len(text) > limit:
        raise InvalidProfileValue(f"{field_label} can be at most {limit} characters (you typed {len(text)}).")
    return text


def clean_currency(value: str) -> str:
    code = value.strip().upper()
    if not _CURRENCY.match(code):
        raise InvalidProfileValue(f"Currency must be a three-letter ISO 4217 code such as USD or EUR, not {value!r}.")
    return code


def clean_amount(field_label: str, value: str) -> str:
    """'25', '$25', '1,500', '1.5k', '€40' -> '25.00' ... as a plain decimal string."""
    try:
        money = parse_money(value)
    except ValueError:
        money = None
    if money is None or not 0 < money.amount <= MAX_AMOUNT:
        raise InvalidProfileValue(f"{field_label} must be an amount such as 25, 25.50 or 1.5k, not {value!r}.")
    return f"{money.amount}"


def clean_choice(field_label: str, value: str, allowed: dict[str, str]) -> str:
    if value not in allowed:
        raise InvalidProfileValue(f"{field_label} must be one of: {', '.join(allowed)}.")
    return value
