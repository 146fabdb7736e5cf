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
import os
import threading
import time
from collections import OrderedDict
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
                max_workers=1,
                mp_context=multiprocessing.get_context(method),
                initializer=_check_process_started,
                initargs=(os.getpid(),),
            )
        return _executor


def _check_process_started(bot_pid: int) -> None:
    """In the check process: give way to the bot, and end with it.

    An executor's worker waits on a queue it also holds the writing end of, so it would outlive a
    bot killed without a clean stop (and keep its forkserver alive with it).
    """
    yield_cpu()
    threading.Thread(target=_exit_after, args=(bot_pid,), name="dispute-desk-bot-watch", daemon=True).start()


def _exit_after(bot_pid: int) -> None:
    while True:
        time.sleep(_BOT_WATCH_S)
        try:
            os.kill(bot_pid, 0)
        except PermissionError:  # the pid now belongs to another user's process: the bot is gone
            os._exit(0)
        except ProcessLookupError:
            os._exit(0)


_BOT_WATCH_S = 1.0


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


Verdict = tuple[list[AuthorProblem], tuple[TemplateVariable, ...]]
#: Verdicts kept for forms submitted again unchanged (a form resubmitted in a loop, or "Save" after
#: the preview): a check depends only on what was typed and the shared variables.
KEPT_VERDICTS = 256


class TemplateChecker:
    """Admits at most one running and ``max_waiting`` waiting checks; the rest are refused at once.

    A draft is checked in the process once: the same draft submitted again (against the same shared
    variables) gets the verdict it got, or shares the check that is running for it.
    """

    def __init__(self, max_waiting: int = MAX_WAITING, kept_verdicts: int = KEPT_VERDICTS) -> None:
        self.max_waiting = max_waiting
        #: Checks sent to the process and not finished there (running or waiting).
        self.in_flight = 0
        #: Checks the process finished (for tests and benches).
        self.checked = 0
        self.kept_verdicts = kept_verdicts
        self._verdicts: OrderedDict[Draft, tuple[Mapping[str, TemplateVariable], Verdict]] = OrderedDict()
        self._running: dict[Draft, tuple[Mapping[str, TemplateVariable], asyncio.Future[Verdict]]] = {}

    async def check(self, draft: Draft, shared: Mapping[str, TemplateVariable], timeout_s: float) -> Verdict:
        """``check_draft`` in the check process; TimeoutError past ``timeout_s``, ChecksBusy when full."""
        kept = self._verdicts.get(draft)
        if kept is not None and kept[0] is shared:
            self._verdicts.move_to_end(draft)
            verdict = kept[1]
        else:
            running = self._running.get(draft)
            if running is not None and running[0] is shared:
                future = running[1]
            elif self.in_flight >= 1 + self.max_waiting:
                raise ChecksBusy()
            else:
                future = self._start(draft, shared)
            try:
                # Shielded: a caller that stops waiting leaves the check to the others waiting for it.
                verdict = await asyncio.wait_for(asyncio.shield(future), timeout=timeout_s)
            except concurrent.futures.process.BrokenProcessPool:
                raise DisputeDeskError("The template check failed; submit the form again.") from None
        return list(verdict[0]), verdict[1]  # a caller adds problems of its own to the list

    def _start(self, draft: Draft, shared: Mapping[str, TemplateVariable]) -> asyncio.Future[Verdict]:
        executor = _get_executor()
        future = asyncio.get_running_loop().run_in_executor(executor, check_draft, draft, dict(shared))
        self.in_flight += 1  # one event loop: no await between the admission test and the count
        self._running[draft] = (shared, future)

        def finished(done: asyncio.Future[Verdict]) -> None:
            self.in_flight -= 1
            if self._running.get(draft, (None, None))[1] is done:
                del self._running[draft]
            if done.cancelled():
                return
            if isinstance(done.exception(), concurrent.futures.process.BrokenProcessPool):
                _discard_executor(executor)  # the process died (out of memory?): start a fresh one next time
                return
            if done.exception() is None:
                self.checked += 1
                self._verdicts[draft] = (shared, done.result())
                while len(self._verdicts) > self.kept_verdicts:
                    self._verdicts.popitem(last=False)

        future.add_done_callback(finished)
        return future
