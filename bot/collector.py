"""Python's cyclic garbage collector, set for a long-running bot: start-up objects frozen, young ones kept longer.

Under the 1,000-seller crowd (`make bench` section 2) the collector took about a third of the bot's
CPU time: every interaction's objects (the parsed Interaction and its message's components, the
task, the request) live while it waits its turn, so they outlive the young generations and pile up
in the oldest one, and each full collection then also walked every object made at start-up (the
imports, the question flow, discord.py's command tree) — the same objects, every time.

So, once the bot has started:

* the objects alive then are moved to the collector's permanent generation (``gc.freeze``): full
  collections walk only what was made since;
* a young collection runs after more allocations (``YOUNG_THRESHOLD`` instead of CPython's 700), so
  fewer of an interaction's objects are promoted while it is still in flight.

Only the process that runs the bot calls this (``bot.runner``); tests that build the bot inside the
test process do not, since frozen objects are never collected.
"""

from __future__ import annotations

import gc
from typing import NamedTuple

#: Allocations between young collections (CPython's default is 700). Measured under the crowd,
#: see docs/testing.md: bot CPU per interaction -12%, the longest pause no longer than before.
YOUNG_THRESHOLD = 2000


class Settled(NamedTuple):
    """What :func:`settle_after_start` did: objects frozen, and the thresholds now in force."""

    frozen: int
    thresholds: tuple[int, int, int]


def settle_after_start() -> Settled:
    """Collect once, freeze what survives (the start-up objects), and raise the young threshold."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
    return Settled(gc.get_freeze_count(), gc.get_threshold())
