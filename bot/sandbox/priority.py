"""The priority of the processes that run user templates: below the process answering interactions."""

from __future__ import annotations

import contextlib
import os


def yield_cpu() -> None:
    """Make this process give way to the bot's own: scheduled as idle work (nice 19 as a fallback).

    At nice 10 a check or render still held a CPU for a few milliseconds each time the bot woke
    up to answer. As a batch process at nice 19 it could still keep the CPU for the rest of its
    time slice when the bot woke; an idle-class process is preempted as soon as any other wakes,
    so the bot's event loop runs the moment it has work, and a render progresses whenever a CPU
    has nothing else to do. (Where the idle class is refused, nice 19 alone still applies.)
    """
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    with contextlib.suppress(OSError, AttributeError):
        os.nice(19 - os.nice(0))
