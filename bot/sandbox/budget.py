"""Per-render accounting: loop iterations and the size of every value an expression builds.

A render sets a fresh :class:`RenderBudget` in a context variable; the sandbox's intercepted
operators, its filters and its loop wrapper charge it. Nothing here trusts the template.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from bot.errors import TemplateLimitError
from bot.sandbox.limits import DEFAULT_LIMITS, Limits


@dataclass
class RenderBudget:
    limits: Limits
    iterations_left: int
    #: id -> (container, weight): a container's weight is computed once per render. The container
    #: is kept so its id cannot be reused by another object during the render.
    weights: dict[int, tuple[object, int]] = field(default_factory=dict)

    @classmethod
    def fresh(cls, limits: Limits) -> RenderBudget:
        return cls(limits=limits, iterations_left=limits.loop_iterations)


_CURRENT: ContextVar[RenderBudget | None] = ContextVar("dispute_desk_render_budget", default=None)


@contextlib.contextmanager
def budget_for_render(limits: Limits) -> Iterator[RenderBudget]:
    """Install a fresh budget for the duration of one render."""
    budget = RenderBudget.fresh(limits)
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def current_limits() -> Limits:
    budget = _CURRENT.get()
    return budget.limits if budget is not None else DEFAULT_LIMITS


def counted(iterable: Iterable[object]) -> Iterator[object]:
    """Yield from ``iterable``, charging one iteration of the shared loop budget per item."""
    budget = _CURRENT.get()
    if budget is None:
        # Rendering outside render_in_process(): refuse rather than run unbounded.
        raise TemplateLimitError("loops can only run inside the sandboxed renderer")
    for item in iterable:
        if budget.iterations_left <= 0:
            raise TemplateLimitError(
                f"loops ran more than {budget.limits.loop_iterations:,} times in total; loop over fewer items"
            )
        budget.iterations_left -= 1
        yield item


def check_size(value: object) -> object:
    """Refuse text or containers heavier than the value cap; return ``value`` unchanged."""
    weight(value)
    return value


def weight(value: object) -> int:
    """The unfolded size of ``value``: characters of text, plus one per item of every container.

    Shared references count every time they appear (``[a] * 100`` weighs 100 times ``a``), so the
    weight bounds what printing, joining or comparing the value can cost. Raises past the cap.
    """
    limit = current_limits().value_chars
    if isinstance(value, str):
        size = len(value)
    elif isinstance(value, list | tuple | dict):
        size = _container_weight(value, limit)
    elif isinstance(value, int) and not isinstance(value, bool):
        # A number weighs what it prints: 4,096 bits are ~1,234 characters, not one item.
        size = printed_digits(value)
    elif isinstance(value, float):
        size = len(repr(value))
    else:
        return 1
    if size > limit:
        raise TemplateLimitError(f"an expression built a value larger than {limit:,} characters or items")
    return max(size, 1)


def printed_digits(number: int) -> int:
    """An upper bound of ``len(str(number))`` computed without printing it."""
    return int(abs(number).bit_length() * _LOG10_2) + 2


_LOG10_2 = math.log10(2)


def _container_weight(value: list[object] | tuple[object, ...] | dict[object, object], limit: int) -> int:
    budget = _CURRENT.get()
    cached = budget.weights.get(id(value)) if budget is not None else None
    if cached is not None and cached[0] is value:
        return cached[1]
    items: Iterable[object] = (
        (x for pair in value.items() for x in pair) if isinstance(value, dict) else value
    )
    total = len(value)
    for item in items:
        total += weight(item)
        if total > limit:  # stop walking as soon as the answer is known
            break
    if budget is not None:
        budget.weights[id(value)] = (value, total)
    return total


def check_planned_size(size: int) -> None:
    """Refuse before building a value of ``size`` characters or items (so memory is never spent)."""
    limit = current_limits().value_chars
    if size > limit:
        raise TemplateLimitError(
            f"an expression would build a value longer than {limit:,} characters or items"
        )


def check_int_bits(bits: int) -> None:
    limit = current_limits().int_bits
    if bits > limit:
        raise TemplateLimitError(f"an expression would build a number larger than {limit:,} bits")
