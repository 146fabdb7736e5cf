"""The one place quantities become words: "1 day", "3 days", "no revisions", "1.5 hours".

Every built-in reply gets its counted values through :func:`quantity` (a number variable with a
``unit`` reaches the template as the phrase), so no sentence can say "1 days" or "1 revisions".
"""

from __future__ import annotations

from decimal import Decimal

_IRREGULAR = {"person": "people", "child": "children", "business day": "business days"}


def plural(unit: str) -> str:
    """ "day" -> "days", "revision" -> "revisions", "fix" -> "fixes", "delivery" -> "deliveries"."""
    if unit in _IRREGULAR:
        return _IRREGULAR[unit]
    if unit.endswith(("s", "x", "ch", "sh")):
        return unit + "es"
    if unit.endswith("y") and unit[-2:-1] not in ("a", "e", "i", "o", "u"):
        return unit[:-1] + "ies"
    return unit + "s"


_SILENT_H = ("hour", "honest", "honour", "honor")


def article(word: str) -> str:
    """ "an" before a vowel sound ("an hour", "an extra day"), else "a"."""
    lowered = word.lower()
    return "an" if lowered[:1] in "aeiou" or lowered.startswith(_SILENT_H) else "a"


def number_text(value: int | float) -> str:
    """ "1,500", "2.5", "3" — no trailing ".0"."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


def quantity(value: int | float, unit: str, units: str = "") -> str:
    """ "1 day", "2 days", "no days", "half a day", "1.5 hours", "1,000 revisions"."""
    many = units or plural(unit)
    if value == 0:
        return f"no {many}"
    if value == 1:
        return f"1 {unit}"
    if value == 0.5:
        return f"half {article(unit)} {unit}"
    return f"{number_text(value)} {many}"


def days_phrase(days: int) -> str:
    """A date against today: "today", "tomorrow", "in 6 days", "yesterday", "3 days ago"."""
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    if days > 0:
        return f"in {quantity(days, 'day')}"
    return f"{quantity(-days, 'day')} ago"
