"""Lenient parsing of what people type: money, numbers, dates and date-times.

Pure functions, no I/O; "now" is always a parameter so relative dates ("yesterday 14:00",
"30 hours ago") are deterministic. Naive times are taken as UTC. Every failure raises
``ValueError`` with a message meant for the user; the engine wraps it in ``InvalidAnswer``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

CURRENCY_SYMBOLS = {
    "$": "USD",
    "US$": "USD",
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "¥": "JPY",
    "A$": "AUD",
    "C$": "CAD",
    "R$": "BRL",
    "₱": "PHP",
    "₦": "NGN",
    "₺": "TRY",
    "zł": "PLN",
}

# Active ISO 4217 currency codes (every one is accepted).
_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF
    BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC
    CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
    GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD
    JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL
    LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD
    NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
    RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP
    SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES
    VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL XCG ZWG VED SLL CUC
"""
ISO_4217 = frozenset(_CODES.split())

_MONEY_RE = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<suffix>[km]?)$")
_UNITS = {
    "minute": 60,
    "min": 60,
    "hour": 3600,
    "hr": 3600,
    "h": 3600,
    "day": 86400,
    "d": 86400,
    "week": 604800,
    "w": 604800,
}
_AGO_RE = re.compile(r"^(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|w)\s+ago$")
_IN_RE = re.compile(r"^in\s+(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|w)$")
_TIME_RE = re.compile(r"^(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>am|pm)?$")


MAX_AMOUNT = Decimal(10) ** 12


@dataclass(frozen=True)
class Money:
    """An amount with an optional ISO 4217 currency (None when the text named none)."""

    amount: Decimal
    currency: str | None


def parse_money(text: str) -> Money:
    """Parse "1,500", "$1500", "1.5k", "1500 EUR", "€900.50" into a non-negative amount."""
    raw = text.strip()
    if not raw:
        raise ValueError("an amount is required, like 1500 or 1,500.50")
    currency: str | None = None
    rest = raw.replace("\u00a0", " ")
    if not re.search(r"\d", rest):  # words alone: say it is not an amount, not "not a currency code"
        raise ValueError(f"{text.strip()!r} is not an amount; write it like 1500, 1,500.50 or 1.5k")
    code = re.search(r"(?i)\b([a-z]{3})\b", rest)
    if code:
        candidate = code.group(1).upper()
        if candidate not in ISO_4217:
            raise ValueError(f"{code.group(1)!r} is not a currency code like USD, EUR or GBP")
        currency = candidate
        rest = rest[: code.start()] + rest[code.end() :]
    for symbol in sorted(CURRENCY_SYMBOLS, key=len, reverse=True):
        if symbol in rest:
            symbol_currency = CURRENCY_SYMBOLS[symbol]
            if currency and currency != symbol_currency:
                raise ValueError(f"{symbol} and {currency} name different currencies")
            currency = symbol_currency
            rest = rest.replace(symbol, "")
            break
    compact = rest.replace(" ", "").lower()
    if compact.startswith("-"):
        raise ValueError("the amount cannot be negative")
    suffix = compact[-1:] if compact[-1:] in ("k", "m") else ""
    number = compact[: len(compact) - len(suffix)]
    if suffix and "," in number and "." not in number:
        number = number.replace(",", ".")  # "1,5k" is one and a half thousand
    match = _MONEY_RE.match(normalise_number(number) + suffix)
    if not match:
        raise ValueError(f"{text.strip()!r} is not an amount; write it like 1500, 1,500.50 or 1.5k")
    try:
        amount = Decimal(match.group("number"))
    except InvalidOperation as exc:  # pragma: no cover - the regex already guarantees digits
        raise ValueError(f"{text!r} is not an amount") from exc
    amount *= {"": 1, "k": 1_000, "m": 1_000_000}[match.group("suffix")]
    if amount > MAX_AMOUNT:
        raise ValueError(f"{text.strip()!r} is too large an amount")
    return Money(amount.quantize(Decimal("0.01")), currency)


def normalise_number(raw: str) -> str:
    """Digits with one '.' for decimals, or the text unchanged when it is not a number.

    "1,500", "1,500,000" and "1.500.000" are thousands; "99,50" and "1.500,50" have a decimal
    comma (when both marks appear, the last one is the decimal mark).
    """
    digits = raw.replace(" ", "").replace("'", "").replace("\u00a0", "")
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        whole, _, decimals = digits.rpartition(decimal_mark)
        if _GROUPED[thousands].fullmatch(whole) and decimals.isdigit():
            return f"{whole.replace(thousands, '')}.{decimals}"
        return digits
    if "," in digits:
        head, _, tail = digits.rpartition(",")
        if "," not in head and head.isdigit() and len(tail) in (1, 2) and tail.isdigit():
            return f"{head}.{tail}"
        return digits.replace(",", "") if _GROUPED[","].fullmatch(digits) else digits
    if digits.count(".") > 1:
        return digits.replace(".", "") if _GROUPED["."].fullmatch(digits) else digits
    return digits


_GROUPED = {mark: re.compile(rf"\d{{1,3}}(?:{re.escape(mark)}\d{{3}})+|\d+") for mark in (",", ".")}


def parse_number(text: str, *, integer: bool = False) -> float | int:
    """Parse "5", "1,000", "2.5"; with ``integer`` only whole numbers are accepted."""
    compact = text.strip().replace(",", "").replace(" ", "")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", compact):
        raise ValueError(f"{text.strip()!r} is not a number" if text.strip() else "a number is required")
    value = float(compact)
    if integer:
        if not value.is_integer():
            raise ValueError(f"{text.strip()!r} is not a whole number")
        return int(value)
    return int(value) if value.is_integer() else value


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _parse_time_of_day(text: str) -> time:
    match = _TIME_RE.match(text.strip())
    if not match:
        raise ValueError(f"{text.strip()!r} is not a time of day like 14:00 or 2pm")
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    ampm = match.group("ampm")
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text.strip()!r} is not a time of day")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"{text.strip()!r} is not a time of day")
    return time(hour, minute)


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip


class AmbiguousDate(ValueError):
    """A numeric date that reads as two different days (03/04/2026)."""


_YEAR_FIRST = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")


def calendar_date(text: str) -> date | None:
    """ "14 March 2026", "Mar 14, 2026", "2026/03/14", "14/03/2026": None when not such a form.

    Numeric day/month orders are read only when unambiguous: "03/04/2026" raises ValueError,
    since guessing could put the wrong date in front of a buyer.
    """
    raw = " ".join(text.strip().lower().replace(",", " ").split())
    words = raw.split(" ")
    if len(words) == 3 and any(word.rstrip(".").isalpha() for word in words[:2]):
        first, second, year = (word.rstrip(".") for word in words)
        day, month = (second, first) if first.isalpha() else (first, second)
        if month in _MONTHS and day.isdigit() and year.isdigit() and len(year) == 4:
            return _date_or_none(int(year), _MONTHS[month], int(day))
        return None
    if match := _YEAR_FIRST.fullmatch(raw):
        return _date_or_none(int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_MONTH_YEAR.fullmatch(raw):
        one, two = int(match[1]), int(match[2])
        if one <= 12 and two <= 12 and one != two:
            raise AmbiguousDate(
                f"{text.strip()!r} could be two different dates; write it like 2026-03-14 or 14 March 2026"
            )
        day_number, month_number = (one, two) if one > 12 or one == two else (two, one)
        return _date_or_none(int(match[3]), month_number, day_number)
    return None


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _relative_day(word: str, now: datetime) -> date | None:
    offsets = {"today": 0, "now": 0, "yesterday": -1, "tomorrow": 1}
    return (now + timedelta(days=offsets[word])).date() if word in offsets else None


def parse_datetime(text: str, *, now: datetime) -> datetime:
    """Parse an ISO date-time, "2026-11-27 14:00", "yesterday 14:00", "30 hours ago", "now"... as UTC."""
    now = _as_utc(now)
    raw = " ".join(text.strip().lower().split())
    if not raw:
        raise ValueError("a date and time is required, like 2026-11-27 14:00 or '30 hours ago'")
    if raw == "now":
        return now.replace(microsecond=0)
    for pattern, sign in ((_AGO_RE, -1), (_IN_RE, 1)):
        match = pattern.match(raw)
        if match:
            unit = (
                match.group("unit").rstrip("s") if match.group("unit") not in {"h", "d", "w"} else match.group("unit")
            )
            seconds = float(match.group("n")) * _UNITS[unit]
            return (now + sign * timedelta(seconds=seconds)).replace(microsecond=0)
    word, _, rest = raw.partition(" ")
    day = _relative_day(word, now)
    if day is not None:
        moment = _parse_time_of_day(rest) if rest else now.time().replace(microsecond=0)
        return datetime.combine(day, moment, tzinfo=UTC)
    iso = raw.upper().replace("Z", "+00:00")
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = _calendar_datetime(raw)
    if parsed is None:
        raise ValueError(
            f"{text.strip()!r} is not a date-time; write 2026-11-27 14:00, 'yesterday 14:00' or '30 hours ago'"
        )
    return _as_utc(parsed)


def _calendar_datetime(raw: str) -> datetime | None:
    """ "27 nov 2026 14:00", "27/11/2026 14:00" or a calendar date alone (at midnight UTC)."""
    head, _, last = raw.rpartition(" ")
    if head and re.fullmatch(r"\d{1,2}:\d{2}", last):
        day = calendar_date(head)
        return datetime.combine(day, _parse_time_of_day(last), tzinfo=UTC) if day else None
    day = calendar_date(raw)
    return datetime.combine(day, time(0), tzinfo=UTC) if day else None


def date_only(text: str, *, now: datetime) -> date | None:
    """The calendar date of an answer that names a day and no time ("2026-11-10", "10 Nov 2026")."""
    del now  # relative words ("yesterday") keep the time of asking, as before
    raw = " ".join(text.strip().lower().split())
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else calendar_date(raw)
    except ValueError:
        return None  # not a date alone: parse_datetime reads it or explains the form


def parse_date(text: str, *, now: datetime) -> date:
    """Parse "2026-11-27", "today", "yesterday", "in 3 days", "10 days ago" (or an ISO date-time)."""
    raw = " ".join(text.strip().lower().split())
    if not raw:
        raise ValueError("a date is required, like 2026-11-27")
    day = _relative_day(raw, _as_utc(now))
    if day is not None:
        return day
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    found = calendar_date(raw)
    if found is not None:
        return found
    try:
        return parse_datetime(text, now=now).date()
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a date; write it like 2026-11-27 or 'yesterday'") from None


def parse_yes_no(text: str) -> bool:
    """Parse yes/no answers: yes, y, true, 1 / no, n, false, 0."""
    raw = text.strip().lower()
    if raw in {"yes", "y", "true", "1", "oui"}:
        return True
    if raw in {"no", "n", "false", "0", "non"}:
        return False
    raise ValueError(f"{text.strip()!r} is not yes or no")
