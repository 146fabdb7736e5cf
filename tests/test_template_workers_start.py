"""The bot starts its template workers before it takes interactions (issue 11, items 1 and 2).

Started on first use, the render workers and the check process would start (an interpreter and
its imports each, at normal priority) during the first burst of renders or checks. Counted, not
timed: which processes exist before the first render or check, and that it starts no other.
"""

from __future__ import annotations

import multiprocessing
import os

import pytest

from bot.replies import lint_process
from bot.runner import start_template_workers
from bot.sandbox import PoolSettings, RenderPool, default_pool

pytestmark = pytest.mark.timeout(60)


def test_a_started_pool_is_ready_before_its_first_render() -> None:
    with RenderPool(PoolSettings(workers=2)).start(wait=True) as pool:
        workers = list(pool._workers)
        # Each worker has imported the sandbox and said so: its "ready" waits on the pipe.
        assert len(workers) == 2 and all(w.process.is_alive() and w.conn.poll(0) for w in workers)
        pids = {w.process.pid for w in workers}
        assert [pool.render("Hi {{ n }}", {"n": str(n)}) for n in range(4)] == [f"Hi {n}" for n in range(4)]
        assert {w.process.pid for w in pool._workers} == pids
        # Started again once in use (the runner's start after a test or the CLI rendered): nothing
        # to wait for, since each worker's "ready" was read by its first render.
        pool.start(wait=True)
        assert pool.render("Hi {{ n }}", {"n": "again"}) == "Hi again"


def test_the_runner_starts_the_render_workers_and_the_check_process() -> None:
    start_template_workers()
    pool = default_pool()
    assert len(pool._workers) == pool.settings.workers
    assert all(w.process.is_alive() for w in pool._workers)
    executor = lint_process._executor
    assert executor is not None
    checkers = [p.pid for p in executor._processes.values()]
    assert len(checkers) == 1
    # Replacements fork from a process that imported the sandbox and the checks once.
    if "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver

        assert {"bot.sandbox.pool", "bot.replies.lint_process"} <= set(forkserver._forkserver._preload_modules)  # type: ignore[attr-defined]


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="no idle scheduling class on this platform")
def test_template_workers_run_as_idle_work_at_the_lowest_priority() -> None:
    start_template_workers()
    executor = lint_process._executor
    assert executor is not None
    pids = [w.process.pid for w in default_pool()._workers] + list(executor._processes)
    assert pids and all(pid is not None for pid in pids)
    for pid in pids:
        assert pid is not None
        assert os.sched_getscheduler(pid) == os.SCHED_IDLE
        assert os.getpriority(os.PRIO_PROCESS, pid) == 19
    # The bot's own process is left as it was.
    assert os.sched_getscheduler(0) == os.SCHED_OTHER
