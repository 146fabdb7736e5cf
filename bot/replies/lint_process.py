"""Check personal templates in a separate process, so a check never holds the bot's event loop.

Parsing and linting a 4,000-character body costs tens to hundreds of milliseconds of pure-Python
CPU. In a thread it still competes with the event loop for the interpreter lock; in its own
process it does not. One process serves the whole bot (checks are rare and short), at most
``MAX_WAITING`` checks may wait for it, and each caller waits at most its timeout. The count of
checks in flight belongs to a :class:`TemplateChecker`, which the bot builds once and owns.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import multiprocessing
import threading
from collections.abc import Mapping

from bot.errors import DisputeDeskError
from bot.replies.model import TemplateVariable
from bot.replies.personal import AuthorProblem, Draft, check_draft
from bot.sandbox.priority import yield_cpu

MAX_WAITING = 8

_lock = threading.Lock()
_executor: concurrent.futures.ProcessPoolExecutor | None = None


class ChecksBusy(DisputeDeskError):
    def __init__(self) -> None:
        super().__init__("Template checks are busy right now; submit the form again in a moment.")


def _get_executor() -> concurrent.futures.ProcessPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
            _executor = concurrent.futures.ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context(method), initializer=yield_cpu
            )
        return _executor


def _discard_executor(broken: concurrent.futures.ProcessPoolExecutor) -> None:
    global _executor
    with _lock:
        if _executor is broken:
            _executor = None
    broken.shutdown(wait=False, cancel_futures=True)


def _started() -> int:
    return 1


def start(timeout_s: float = 30.0) -> None:
    """Start the check process now and wait until it answers (otherwise the first check does it)."""
    _get_executor().submit(_started).result(timeout=timeout_s)


def shutdown() -> None:
    """Stop the check process (at exit; tests may call it)."""
    global _executor
    with _lock:
        executor, _executor = _executor, None
    if executor is not None:
        executor.shutdown(wait=False, cancel_futures=True)


atexit.register(shutdown)


class TemplateChecker:
    """Admits at most one running and ``max_waiting`` waiting checks; the rest are refused at once."""

    def __init__(self, max_waiting: int = MAX_WAITING) -> None:
        self.max_waiting = max_waiting
        self.in_flight = 0

    async def check(
        self, draft: Draft, shared: Mapping[str, TemplateVariable], timeout_s: float
    ) -> tuple[list[AuthorProblem], tuple[TemplateVariable, ...]]:
        """``check_draft`` in the check process; TimeoutError past ``timeout_s``, ChecksBusy when full."""
        if self.in_flight >= 1 + self.max_waiting:
            raise ChecksBusy()
        self.in_flight += 1  # one event loop: no await between the test and the count
        try:
            executor = _get_executor()
            future = asyncio.get_running_loop().run_in_executor(executor, check_draft, draft, dict(shared))
            try:
                return await asyncio.wait_for(future, timeout=timeout_s)
            except concurrent.futures.process.BrokenProcessPool:
                _discard_executor(executor)  # the process died (out of memory?): start a fresh one next time
                raise DisputeDeskError("The template check failed; submit the form again.") from None
        finally:
            self.in_flight -= 1
