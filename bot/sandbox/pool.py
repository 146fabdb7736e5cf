"""Persistent worker processes that render user templates under a CPU-time and memory budget.

Why processes: a Jinja2 render is pure Python; a thread cannot be stopped and an in-template
operation counter cannot see a slow C-level call (a giant ``str.replace``). A separate process can
be killed, and the kernel enforces its limits (``RLIMIT_AS`` for memory, ``RLIMIT_CPU`` as a
backstop to the parent's timer).

Why a hand-rolled pool rather than ``ProcessPoolExecutor``: the executor cannot kill the one worker
that overran; it can only be shut down whole, and its remaining workers with it. Here each worker
is a process with its own pipe; an overrun kills that process (SIGKILL) and starts a replacement,
so the other workers keep serving.

Workers start with ``forkserver`` (safe in a threaded, asyncio process, unlike ``fork``; after the
first start a replacement costs a fork, not an interpreter start) and stay up: a normal render is
one pipe round trip plus a cached compiled template.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import multiprocessing
import os
import queue
import resource
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from bot.errors import RendererBusy, RendererStarved, TemplateError, TemplateLimitError, TemplateStopped
from bot.sandbox.limits import DEFAULT_LIMITS, Limits
from bot.sandbox.priority import yield_cpu
from bot.sandbox.render import render_in_process
from bot.sandbox.values import plain_values

DEFAULT_TIMEOUT_S = 1.0
DEFAULT_MEMORY_BYTES = 256 * 1024 * 1024
_QUEUE_TIMEOUT_S = 10.0
_STARTUP_TIMEOUT_S = 30.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_CPU_TICK_SLACK = 0.95  # CPU time is counted in clock ticks (10 ms)
_MIN_POLL_S = 0.05


@dataclass(frozen=True)
class PoolSettings:
    workers: int = 2
    #: Time budget of one render: the CPU time the worker spends on it, read by the parent from
    #: the kernel; the worker is killed past it. Workers run at the lowest priority, so a worker
    #: starved of CPU by other work is waited for (up to ``starved_wait`` times the budget in
    #: wall-clock time), never stopped as if its template were slow.
    timeout_s: float = DEFAULT_TIMEOUT_S
    starved_wait: float = 10.0
    #: Address space a worker may add on top of what it uses once started.
    memory_bytes: int = DEFAULT_MEMORY_BYTES
    limits: Limits = DEFAULT_LIMITS
    #: Renders allowed to wait for a worker (besides those running); more are refused at once
    #: with RendererBusy instead of queueing without bound behind slow templates.
    max_waiting: int = 8


class _Worker:
    def __init__(self, context: Any, settings: PoolSettings) -> None:
        parent_end, child_end = multiprocessing.Pipe()
        self.conn: Connection = parent_end
        self.process = context.Process(
            target=_worker_main,
            args=(child_end, settings.memory_bytes, settings.timeout_s, settings.limits),
            daemon=True,
            name="dispute-desk-render",
        )
        self.process.start()
        child_end.close()
        #: The worker says "ready" once it has imported and warmed up; a render's time budget
        #: starts after that, so a freshly replaced worker does not eat into it.
        self.ready = False

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(timeout=2)
        with contextlib.suppress(Exception):
            self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.send(None)
            self.process.join(timeout=1)
        if self.process.is_alive():
            self.kill()
        with contextlib.suppress(Exception):
            self.conn.close()


class RenderPool:
    """Render user templates off the caller's process; usable from threads and from asyncio."""

    def __init__(self, settings: PoolSettings | None = None) -> None:
        self.settings = settings or PoolSettings()
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        self._context = multiprocessing.get_context(method)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._closed = False
        #: Renders accepted by render_async and not yet finished (running or waiting).
        self._in_flight = 0
        #: How many renders render_async refused because the queue was full (for tests and benches).
        self.refused = 0
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.settings.workers, thread_name_prefix="dispute-desk-render-wait"
        )

    def start(self, *, wait: bool = False) -> RenderPool:
        """Start the workers now (otherwise the first render does it); ``wait``: until each says ready."""
        with self._lock:
            while len(self._workers) < self.settings.workers:
                self._add_worker()
            workers = list(self._workers)
        if wait:  # poll only: the first render still reads the "ready" message (see _ask)
            for worker in workers:
                if not worker.ready:
                    with contextlib.suppress(OSError):
                        worker.conn.poll(_STARTUP_TIMEOUT_S)
        return self

    def render(self, source: str, values: Mapping[str, object]) -> str:
        """Render in a worker; raise TemplateError / TemplateLimitError on any problem or overrun."""
        if self._closed:
            raise TemplateError("the renderer is shut down")
        if not self._workers:
            self.start()
        request = (source, plain_values(values))
        try:
            worker = self._idle.get(timeout=_QUEUE_TIMEOUT_S)
        except queue.Empty:
            raise RendererBusy("the template renderer is busy; try again in a moment") from None
        try:
            reply = self._ask(worker, request)
        except BaseException:
            worker = self._replace(worker)
            raise
        finally:
            self._idle.put(worker)
        return _unpack(reply)

    async def render_async(self, source: str, values: Mapping[str, object]) -> str:
        """:meth:`render` in a thread, so the event loop keeps serving while a template renders.

        At most ``workers + max_waiting`` renders are accepted at once; past that RendererBusy is
        raised immediately, so slow templates cannot build a queue an honest render waits behind.
        """
        with self._lock:
            if self._in_flight >= self.settings.workers + self.settings.max_waiting:
                self.refused += 1
                raise RendererBusy("the template renderer is busy; try again in a moment")
            self._in_flight += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, self.render, source, values)
        finally:
            with self._lock:
                self._in_flight -= 1

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for worker in self._workers:
                worker.stop()
            self._workers.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> RenderPool:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _ask(self, worker: _Worker, request: tuple[str, dict[str, object]]) -> tuple[Any, ...]:
        try:
            if not worker.ready:
                if not worker.conn.poll(_STARTUP_TIMEOUT_S):
                    raise TemplateLimitError("the template renderer did not start; try again in a moment")
                worker.conn.recv()
                worker.ready = True
            worker.conn.send(request)
            self._wait_for_reply(worker)
            reply: tuple[Any, ...] = worker.conn.recv()
        except (EOFError, OSError):
            raise TemplateStopped("the template used too much memory or CPU and was stopped") from None
        if reply[0] == "fatal":  # the worker reported and exited (MemoryError): replace it
            raise TemplateStopped(reply[1])
        return reply

    def _wait_for_reply(self, worker: _Worker) -> None:
        """Return once the worker answered; raise when it spent its CPU budget on this render.

        The budget counts the worker's own CPU time (``/proc/<pid>/stat``), not the clock: at the
        lowest priority a worker may wait for the CPU while the bot is busy, and an honest
        template must not be stopped (and quarantined) for that. Without ``/proc`` the clock counts.
        """
        budget = self.settings.timeout_s
        pid = worker.process.pid
        cpu_before = _cpu_seconds(pid)
        started = time.monotonic()
        wait = budget
        while not worker.conn.poll(wait):
            cpu_now = _cpu_seconds(pid)
            spent = budget if cpu_before is None or cpu_now is None else cpu_now - cpu_before
            if spent >= budget * _CPU_TICK_SLACK:
                raise TemplateStopped(f"the template took longer than {budget:g} s to render and was stopped")
            if time.monotonic() - started >= budget * self.settings.starved_wait:
                raise RendererStarved("the template renderer is short of CPU right now; try again in a moment")
            wait = max(budget - spent, _MIN_POLL_S)

    def _add_worker(self) -> _Worker:
        worker = _Worker(self._context, self.settings)
        self._workers.append(worker)
        self._idle.put(worker)
        return worker

    def _replace(self, worker: _Worker) -> _Worker:
        worker.kill()
        fresh = _Worker(self._context, self.settings)
        with self._lock:
            self._workers = [fresh if w is worker else w for w in self._workers]
        return fresh


def _cpu_seconds(pid: int | None) -> float | None:
    """User plus system CPU time the process has used so far; None where /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    except (OSError, ValueError, IndexError):
        return None


def _unpack(reply: tuple[Any, ...]) -> str:
    if reply[0] == "ok":
        return str(reply[1])
    kind, message, line = reply[1], reply[2], reply[3]
    error_class = TemplateLimitError if kind == "limit" else TemplateError
    raise error_class(message, line)


_default_pool: RenderPool | None = None
_default_lock = threading.Lock()


def default_pool() -> RenderPool:
    """The process-wide pool the bot and the CLI share (started lazily, closed at exit)."""
    global _default_pool
    with _default_lock:
        if _default_pool is None:
            import atexit

            _default_pool = RenderPool()
            atexit.register(_default_pool.close)
        return _default_pool


# ---- inside the worker process -------------------------------------------------------------


def _worker_main(conn: Connection, memory_bytes: int, timeout_s: float, limits: Limits) -> None:
    _limit_memory(memory_bytes)
    yield_cpu()  # renders give way to the process that answers interactions
    with contextlib.suppress(Exception):
        render_in_process("{{ warm }}", {"warm": "up"}, limits)  # compile the environment once
    try:
        conn.send(("ready",))
    except (EOFError, OSError):
        return
    cpu_seconds = int(timeout_s) + 2
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        _limit_cpu(cpu_seconds)
        try:
            reply: tuple[Any, ...] = ("ok", render_in_process(request[0], request[1], limits))
        except TemplateLimitError as error:
            reply = ("error", "limit", error.message, error.line)
        except TemplateError as error:
            reply = ("error", "template", error.message, error.line)
        except MemoryError:
            # The heap may be in a poor state: report, then exit so the parent starts a fresh worker.
            conn.send(("fatal", "the template used too much memory and was stopped"))
            return
        except Exception as error:  # a bug or an unforeseen trick: report it, never crash the bot
            reply = (
                "error",
                "template",
                f"the template could not be rendered ({type(error).__name__})",
                None,
            )
        conn.send(reply)


def _limit_memory(extra_bytes: int) -> None:
    try:
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return  # no /proc: rely on the parent's timer alone
    limit = current + extra_bytes
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _limit_cpu(seconds: int) -> None:
    # RLIMIT_CPU counts the process's whole life, so move the soft limit forward before each
    # render: past it the kernel sends SIGXCPU, which kills a worker the parent failed to stop.
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = spent + seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
