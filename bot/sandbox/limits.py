"""The caps every user-template render obeys, in one frozen value."""

from __future__ import annotations

from dataclasses import dataclass

from bot.discord_limits import MESSAGE_LIMIT

MAX_SOURCE_CHARS = 4_000
"""A template's source, as typed by its author."""

MAX_OUTPUT_CHARS = MESSAGE_LIMIT
"""Discord's message limit: the rendered text must fit in one message."""


@dataclass(frozen=True)
class Limits:
    """Caps on one render. The defaults are the bot's; tests shrink them to stay fast."""

    source_chars: int = MAX_SOURCE_CHARS
    output_chars: int = MAX_OUTPUT_CHARS
    #: Largest weight of any value an expression builds: characters + container items (budget.weight).
    value_chars: int = 10_000
    #: Iterations of all ``{% for %}`` loops together, nested ones included.
    loop_iterations: int = 1_000
    #: Largest integer an expression may build (``*``, ``**``), in bits (~1,200 digits).
    int_bits: int = 4_096


DEFAULT_LIMITS = Limits()
