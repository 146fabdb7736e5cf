"""The bot starts its template workers before it takes interactions (issue 11, items 1 and 2).

Started on first use, the render workers and the check process would start (an interpreter and
its imports each, at normal priority) during the first burst of renders or checks. Counted, not
timed: which processes exist before the first render or check, and that it starts no other.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.replies import lint_process
from bot.runner import start_template_workers
from bot.sandbox import PoolSettings, RenderPool, default_pool
from tests.botprocess import PROJECT_ROOT

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


_BOT_STAND_IN = """
import sys, time
from bot.replies import lint_process
if __name__ == "__main__":
    lint_process.start()
    print(*lint_process._executor._processes, flush=True)
    time.sleep(600)
"""


def test_the_check_process_ends_with_a_bot_killed_without_a_clean_stop(tmp_path: Path) -> None:
    script = tmp_path / "bot_stand_in.py"
    script.write_text(_BOT_STAND_IN)
    bot = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
    try:
        assert bot.stdout is not None
        checker = int(bot.stdout.readline())
        assert _alive(checker)
    finally:
        bot.kill()
        bot.wait()
    for _ in range(200):  # it notices within about a second; the test's timeout is the limit
        if not _alive(checker):
            break
        time.sleep(0.1)
    assert not _alive(checker)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
