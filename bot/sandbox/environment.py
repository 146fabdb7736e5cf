"""The Jinja2 environment user templates compile in: immutable sandbox, whitelists, bounded operators."""

from __future__ import annotations

import math
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.runtime import Context, LoopContext, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from bot.sandbox.budget import check_int_bits, check_planned_size, check_size, current_limits, weight
from bot.sandbox.filters import FILTERS, INTERNAL_FILTERS, TESTS
from bot.sandbox.policy import LOOP_ATTRIBUTES, bound_tree, check_policy


class UserTemplateEnvironment(ImmutableSandboxedEnvironment):
    """Compiles author templates; refuses anything outside the dialect at compile time.

    - no globals (no ``range``, ``lipsum``, ``dict``, ``cycler``, ``joiner``, ``namespace``), no loader;
    - only the whitelisted filters and tests;
    - no attribute access except ``loop.index``-style fields; subscription only of plain dicts by
      string keys not starting with ``_``, and of lists/strings by integer or slice;
    - no calls at all (nothing callable is reachable anyway);
    - ``+ - * / // % **`` are intercepted and size-checked; ``~`` is rewritten to a checked join;
    - loops charge a shared iteration budget;
    - the optimizer is off, so nothing in a template is evaluated while it is compiled or linted;
    - unknown variables raise instead of rendering blank (StrictUndefined).
    """

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,
            optimized=False,
            keep_trailing_newline=False,
            # A line holding only {% if %} or {% for %} leaves no blank line behind.
            trim_blocks=True,
            lstrip_blocks=True,
            # Every {{ value }} is weighed before Jinja2 turns it into text.
            finalize=_printable,
            cache_size=0,
        )
        self.globals.clear()
        self.filters.clear()
        self.filters.update(FILTERS)
        self.filters.update(INTERNAL_FILTERS)
        self.tests.clear()
        self.tests.update(TESTS)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        limit = current_limits().source_chars
        if len(source) > limit:
            raise TemplateSyntaxError(
                f"the template is {len(source):,} characters; the limit is {limit:,}", 1
            )
        tree = super()._parse(source, name, filename)
        problems = check_policy(tree)
        if problems:
            raise TemplateSyntaxError(problems[0].message, problems[0].line, name, filename)
        return bound_tree(tree)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return False

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Undefined):
            return self.undefined(obj=obj, name=attribute)
        if isinstance(obj, LoopContext) and attribute in LOOP_ATTRIBUTES:
            return getattr(obj, attribute)
        if type(obj) is dict and isinstance(attribute, str) and not attribute.startswith("_"):
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        raise SecurityError(f"attribute access ('.{attribute}') is not allowed")

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Undefined):
            return self.undefined(obj=obj, name=str(argument))
        if type(obj) is dict:
            if not isinstance(argument, str) or argument.startswith("_"):
                raise SecurityError("mapping keys must be text not starting with '_'")
            return obj[argument] if argument in obj else self.undefined(obj=obj, name=argument)
        if type(obj) in (list, tuple, str) and type(argument) in (int, slice):
            try:
                return obj[argument]
            except IndexError:
                return self.undefined(obj=obj, name=str(argument))
        raise SecurityError("only mappings (by key) and lists or text (by position) can be subscripted")

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        raise SecurityError("calling functions or methods is not allowed")

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_operands(operator, left, right)
        result = _BINOPS[operator](left, right)
        if isinstance(result, complex):
            raise SecurityError("the result is a complex number (a root of a negative number?)")
        return check_size(result)


def _printable(value: Any) -> Any:
    """What ``{{ value }}`` may print: plain values, weighed before Jinja2 turns them into text."""
    if isinstance(value, LoopContext):
        raise SecurityError("'loop' cannot be printed; use a field such as loop.index")
    return check_size(value)


def _check_operands(operator: str, left: Any, right: Any) -> None:
    """Refuse, before computing, any operation whose result would be huge or is a format trick."""
    if operator == "%" and isinstance(left, str):
        raise SecurityError("'%' formatting is not allowed; use ~ to join text")
    if operator == "*":
        sequence, count = (left, right) if isinstance(left, str | list | tuple) else (right, left)
        if isinstance(sequence, str | list | tuple) and isinstance(count, int):
            check_planned_size(weight(sequence) * max(count, 0))
        elif isinstance(left, int) and isinstance(right, int):
            check_int_bits(abs(left).bit_length() + abs(right).bit_length())
    elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        check_int_bits(math.ceil(max(abs(left), 1).bit_length() * min(right, 10**9)))
    elif operator == "+" and isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
        check_planned_size(weight(left) + weight(right))


_BINOPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "//": lambda a, b: a // b,
    "%": lambda a, b: a % b,
    "**": lambda a, b: a**b,
}
