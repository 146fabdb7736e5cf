"""Parse what a seller typed into a typed value, and format it for a message. Pure functions.

Lenient where it is unambiguous ("$1,500", "1.500,50 €", "March 14, 2026"), strict where guessing
could put a wrong amount or date in front of a buyer ("03/04/2026" is refused: which is the month?).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from bot.disputes.engine.parsing import AmbiguousDate
from bot.disputes.engine.parsing import parse_date as engine_parse_date
from bot.disputes.engine.parsing import parse_money as engine_parse_money
from bot.errors import DisputeDeskError


class InvalidValueError(DisputeDeskError):
    """A typed value could not be understood; the message says what to type instead."""


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return format_money(self)


_PREFIX = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "JPY": "¥"}
_MONEY_MAX = Decimal("1000000000")


def parse_money(text: str, default_currency: str = "USD") -> Money:
    """Parse "$1,500", "1500", "1.500,50 EUR", "€ 99", "usd 20", "1.5k" (no negatives, at most 1e9).

    The reading itself is the dispute engine's, so a seller's amount means the same everywhere.
    """
    try:
        parsed = engine_parse_money(text)
    except ValueError:
        raise InvalidValueError(f"'{text}' is not an amount; type it like 150, $1,500 or 99.50 EUR") from None
    if parsed.amount > _MONEY_MAX:
        raise InvalidValueError(f"'{text}' is out of range for an amount")
    return Money(parsed.amount, parsed.currency or default_currency.upper())


def format_money(money: Money) -> str:
    """ "$1,500", "$99.50", "€1,500", "CAD 1,500" — whole amounts without cents."""
    whole = money.amount == money.amount.to_integral_value()
    number = f"{money.amount:,.0f}" if whole else f"{money.amount:,.2f}"
    prefix = _PREFIX.get(money.currency)
    return f"{prefix}{number}" if prefix else f"{money.currency} {number}"


def parse_date(text: str, today: date | None = None) -> date:
    """Parse "2026-03-14", "14 March 2026", "Mar 14, 2026", "14/03/2026" (unambiguous only), "tomorrow".

    The reading itself is the dispute engine's, so a date means the same everywhere.
    """
    moment = datetime.combine(today or date.today(), time(12), tzinfo=UTC)
    try:
        return engine_parse_date(text, now=moment)
    except AmbiguousDate as exc:
        raise InvalidValueError(str(exc)) from None
    except ValueError:
        raise InvalidValueError(
            f"'{text}' is not a date I can read; type it like 2026-03-14 or 14 March 2026"
        ) from None


def format_date(value: date) -> str:
    """ "14 March 2026": unambiguous on both sides of the Atlantic."""
    return f"{value.day} {value.strftime('%B')} {value.year}"


_LINK_MAX = 512


def parse_link(text: str) -> str:
    """An http(s) link with a host; no spaces; at most 512 characters."""
    raw = text.strip()
    parts = urlsplit(raw)
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or not host
        or ("." not in host and host != "localhost")
        or any(c.isspace() for c in raw)
        or len(raw) > _LINK_MAX
    ):
        raise InvalidValueError(f"'{text}' is not a link; paste the full address starting with https://")
    return raw


def parse_number(text: str) -> int | float:
    """ "3", "3.5", "1,000" -> a number between -1e9 and 1e9."""
    raw = text.strip().replace(",", "").replace(" ", "")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise InvalidValueError(f"'{text}' is not a number") from None
    if not number.is_finite() or abs(number) > _MONEY_MAX:
        raise InvalidValueError(f"'{text}' is out of range")
    return int(number) if number == number.to_integral_value() else float(number)


_TEXT_MAX = 1_000


def parse_text(text: str) -> str:
    value = text.strip()
    if len(value) > _TEXT_MAX:
        raise InvalidValueError(f"keep this under {_TEXT_MAX:,} characters (it is {len(value):,})")
    return value
