"""Render a user template in this process, with every cap except time and memory.

Time and memory are bounded by :mod:`bot.sandbox.pool`, which calls :func:`render_in_process` inside
a disposable worker process. Call this directly only for trusted (built-in) templates or in tests.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Mapping

import jinja2
from jinja2.sandbox import SecurityError

from bot.errors import TemplateError, TemplateLimitError
from bot.sandbox.budget import budget_for_render
from bot.sandbox.environment import UserTemplateEnvironment
from bot.sandbox.limits import DEFAULT_LIMITS, Limits
from bot.sandbox.mentions import neutralise_mentions
from bot.sandbox.values import plain_values

_TEMPLATE_FILENAME = "<template>"


@functools.cache
def _environment() -> UserTemplateEnvironment:
    return UserTemplateEnvironment()


@functools.lru_cache(maxsize=256)
def _compiled(source: str, limits: Limits) -> jinja2.Template:
    # limits is part of the key: the source cap is checked while compiling.
    with budget_for_render(limits):
        return _environment().from_string(source)


def compile_template(source: str, limits: Limits = DEFAULT_LIMITS) -> jinja2.Template:
    """Compile ``source`` in the sandbox dialect, or raise TemplateError with the line number."""
    try:
        return _compiled(source, limits)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(error.message or "syntax error", error.lineno) from None
    except (RecursionError, MemoryError, SyntaxError, ValueError) as error:
        # Pathological nesting can exhaust the parser or Python's own compiler.
        raise TemplateError(
            f"the template is too deeply nested or malformed ({type(error).__name__})"
        ) from None


def render_in_process(source: str, values: Mapping[str, object], limits: Limits = DEFAULT_LIMITS) -> str:
    """Render ``source`` with ``values``; the text is mention-safe and within ``limits.output_chars``."""
    template = compile_template(source, limits)
    context = plain_values(values)
    pieces: list[str] = []
    size = 0
    try:
        with budget_for_render(limits):
            # Stream the output so a runaway template is stopped as soon as it passes the cap.
            for piece in template.generate(context):
                size += len(piece)
                if size > limits.output_chars:
                    raise _too_long(limits)
                pieces.append(piece)
    except TemplateError as error:
        raise type(error)(error.message, error.line or _template_line(error)) from None
    except jinja2.UndefinedError as error:
        raise TemplateError(f"unknown value: {error.message}", _template_line(error)) from None
    except SecurityError as error:
        raise TemplateError(str(error), _template_line(error)) from None
    except RecursionError:
        raise TemplateLimitError("the template nests too deeply") from None
    except (ArithmeticError, TypeError, ValueError, LookupError, jinja2.TemplateError) as error:
        raise TemplateError(_describe(error), _template_line(error)) from None
    text = neutralise_mentions("".join(pieces)).strip()
    if len(text) > limits.output_chars:
        raise _too_long(limits)
    return text


def _too_long(limits: Limits) -> TemplateLimitError:
    return TemplateLimitError(
        f"the reply is longer than {limits.output_chars:,} characters, Discord's message limit; shorten it"
    )


def _describe(error: BaseException) -> str:
    if isinstance(error, ZeroDivisionError):
        return "division by zero"
    if isinstance(error, OverflowError):
        return "a number got too large"
    return f"{type(error).__name__}: {error}"


def _template_line(error: BaseException) -> int | None:
    """The template line where ``error`` was raised (Jinja2 maps frames back to template lines)."""
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == _TEMPLATE_FILENAME:
            line = frame.lineno
    return line
