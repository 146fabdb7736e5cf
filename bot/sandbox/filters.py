"""The whitelisted filters and tests of the user-template dialect.

Each filter is small, works on plain values only (no attribute lookups, no callables) and checks the
size of what it builds, so no chain of filters can grow a value past the cap.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

from jinja2.runtime import Undefined

from bot.errors import TemplateError
from bot.sandbox.budget import check_int_bits, check_planned_size, check_size, counted

Filter = Callable[..., Any]


def _text(value: object) -> str:
    return check_size(str(value))  # type: ignore[return-value]


def _upper(value: object) -> str:
    return _text(value).upper()


def _lower(value: object) -> str:
    return _text(value).lower()


def _title(value: object) -> str:
    return _text(value).title()


def _capitalize(value: object) -> str:
    return _text(value).capitalize()


def _trim(value: object) -> str:
    return _text(value).strip()


def _default(value: object, default_value: object = "", boolean: bool = False) -> object:
    if isinstance(value, Undefined) or (boolean and not value):
        return default_value
    return value


def _join(value: object, separator: object = "") -> str:
    if not isinstance(value, list | tuple | str):
        raise TemplateError("join needs a list")
    items = [str(item) for item in value]
    sep = str(separator)
    check_planned_size(sum(map(len, items)) + len(sep) * max(len(items) - 1, 0))
    return sep.join(items)


def _length(value: object) -> int:
    if not isinstance(value, str | list | tuple | dict):
        raise TemplateError("length needs text or a list")
    return len(value)


def _round(value: object, precision: int = 0, method: str = "common") -> float:
    number = float(value)  # type: ignore[arg-type]
    precision = int(precision)
    if not 0 <= precision <= 10:
        raise TemplateError("round takes a precision from 0 to 10")
    if method == "common":
        return round(number, precision)
    factor = 10.0**precision
    if method == "ceil":
        return math.ceil(number * factor) / factor
    if method == "floor":
        return math.floor(number * factor) / factor
    raise TemplateError("round method must be common, ceil or floor")


def _int(value: object, default: int = 0) -> int:
    if isinstance(value, int):
        return int(value)
    text = _text(value).strip().replace(",", "")
    # Refuse before converting: a long digit string is a huge number (and slow to parse).
    check_int_bits(math.ceil(len(text.lstrip("+-")) * _BITS_PER_DIGIT))
    try:
        number = int(float(text)) if "." in text else int(text)
    except (TypeError, ValueError, OverflowError):
        return default
    check_int_bits(number.bit_length())
    return number


_BITS_PER_DIGIT = math.log2(10)


def _float(value: object, default: float = 0.0) -> float:
    try:
        return float(str(value).strip().replace(",", ""))
    except (TypeError, ValueError):
        return default


def _replace(value: object, old: object, new: object, count: int | None = None) -> str:
    text, old_s, new_s = _text(value), str(old), str(new)
    # Python reads a negative count as "replace every occurrence": size it the same way.
    limit = -1 if count is None or int(count) < 0 else int(count)
    if old_s:
        hits = text.count(old_s) if limit < 0 else min(text.count(old_s), limit)
        check_planned_size(len(text) + hits * (len(new_s) - len(old_s)))
    else:
        slots = len(text) + 1 if limit < 0 else min(len(text) + 1, limit)
        check_planned_size(len(text) + slots * len(new_s))
    return text.replace(old_s, new_s, limit)


def _truncate(value: object, length: int = 255, killwords: bool = False, end: str = "...") -> str:
    text, length, end = _text(value), int(length), str(end)
    if len(text) <= length:
        return text
    length = max(length - len(end), 0)
    cut = text[:length]
    if not killwords and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return check_size(cut + end)  # type: ignore[return-value]


def _wordwrap(value: object, width: int = 79) -> str:
    width = min(max(int(width), 20), 200)  # a tiny width would multiply the line breaks
    text = _text(value)
    return "\n".join(textwrap.fill(p, width) if p else "" for p in text.split("\n"))


def _first(value: object) -> object:
    if isinstance(value, str | list | tuple) and value:
        return value[0]
    raise TemplateError("first needs a non-empty list or text")


def _last(value: object) -> object:
    if isinstance(value, str | list | tuple) and value:
        return value[-1]
    raise TemplateError("last needs a non-empty list or text")


def _reverse(value: object) -> object:
    if isinstance(value, str | list | tuple):
        return value[::-1]
    raise TemplateError("reverse needs a list or text")


def _abs(value: object) -> object:
    return abs(value)  # type: ignore[arg-type]


def _string(value: object) -> str:
    return _text(value)


FILTERS: dict[str, Filter] = {
    "upper": _upper,
    "lower": _lower,
    "title": _title,
    "capitalize": _capitalize,
    "trim": _trim,
    "default": _default,
    "d": _default,
    "join": _join,
    "length": _length,
    "count": _length,
    "round": _round,
    "int": _int,
    "float": _float,
    "replace": _replace,
    "truncate": _truncate,
    "wordwrap": _wordwrap,
    "first": _first,
    "last": _last,
    "reverse": _reverse,
    "abs": _abs,
    "string": _string,
}
"""Filters an author may use: text case and trimming, defaults, joining, numbers, truncation."""


def _concat(parts: Sequence[object]) -> str:
    """``a ~ b ~ c``: rewritten to this so string building is size-checked like everything else."""
    pieces = [str(p) for p in parts]  # an unknown variable raises here, as it should
    check_planned_size(sum(map(len, pieces)))
    return "".join(pieces)


INTERNAL_FILTERS: dict[str, Filter] = {
    "_counted": counted,
    "_concat": _concat,
    "_bounded": check_size,
}
"""Inserted by the compiler, never by authors (names starting with ``_`` are refused in source)."""


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


TESTS: dict[str, Callable[..., bool]] = {
    "defined": lambda v: not isinstance(v, Undefined),
    "undefined": lambda v: isinstance(v, Undefined),
    "none": lambda v: v is None,
    "number": _number,
    "string": lambda v: isinstance(v, str),
    "even": lambda v: int(v) % 2 == 0,
    "odd": lambda v: int(v) % 2 == 1,
    "divisibleby": lambda v, n: int(n) != 0 and int(v) % int(n) == 0,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
}
"""Tests an author may use after ``is``."""
