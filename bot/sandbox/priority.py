"""The priority of the processes that run user templates: below the process answering interactions."""

from __future__ import annotations

import contextlib
import os


def yield_cpu() -> None:
    """Make this process give way to the bot's own: a batch process at the lowest priority.

    At nice 10 a check or render still held a CPU for a few milliseconds each time the bot woke
    up to answer; at nice 19, as a batch process (never preempting others), the bot's event loop
    runs as soon as it has work, and a render still progresses whenever a CPU has time.
    """
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    with contextlib.suppress(OSError, AttributeError):
        os.nice(19 - os.nice(0))
