"""Acknowledgement latency of a bare discord.py bot and of Dispute Desk, each in its own process.

Both talk to the same in-process fake Discord (request validation off, so the fake's own cost stays
small and equal). Latency is measured by the fake: from sending INTERACTION_CREATE to receiving the
callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.benchmarks.stats import peak_rss_mb_of, summary_ms
from tests.fakediscord import FakeDiscord, FakeUser

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RunningProcess:
    process: asyncio.subprocess.Process
    start_to_ready_s: float
    start_to_first_answer_s: float


@contextlib.asynccontextmanager
async def bot_process(
    fake: FakeDiscord, module: Sequence[str], probe_command: str, user: FakeUser, workdir: Path
) -> AsyncIterator[RunningProcess]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        **fake.env(),
        "DATABASE_PATH": str(workdir / "bench.sqlite3"),
        "LOG_DIR": str(workdir / "logs"),
        "LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", *module, cwd=PROJECT_ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        fake.gateway.ready.clear()
        await fake.wait_ready(timeout=30)
        ready = time.perf_counter() - started
        await fake.wait_for(lambda: bool(fake.commands()), 30, "the first sync")
        first = await fake.slash(probe_command, user=user, dm=True)
        await first.response(timeout=10)
        yield RunningProcess(process, ready, time.perf_counter() - started)
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()


async def measure(
    fake: FakeDiscord, running: RunningProcess, command: str, user: FakeUser, samples: int, warmup: int
) -> dict[str, Any]:
    latencies: list[float] = []
    for index in range(warmup + samples):
        result = await fake.slash(command, user=user, dm=True)
        await result.response(timeout=10)
        if index >= warmup:
            latencies.append(result.ack_latency)
    return {
        **summary_ms(latencies),
        "start_to_ready_s": round(running.start_to_ready_s, 3),
        "start_to_first_answer_s": round(running.start_to_first_answer_s, 3),
        "peak_rss_mb": peak_rss_mb_of(running.process.pid),
    }


async def run(samples: int = 400, warmup: int = 30) -> dict[str, Any]:
    results: dict[str, Any] = {}
    cases = (
        ("bare discord.py /ping", ("tests.fakediscord.bare_bot",), "ping"),
        ("Dispute Desk /help", ("bot", "run"), "help"),
    )
    for label, module, command in cases:
        with tempfile.TemporaryDirectory() as workdir:
            async with FakeDiscord(validate=False) as fake:
                user = fake.add_user("bench")
                async with bot_process(fake, module, command, user, Path(workdir)) as running:
                    results[label] = await measure(fake, running, command, user, samples, warmup)
    bare, desk = results["bare discord.py /ping"], results["Dispute Desk /help"]
    results["ratio_p50"] = round(desk["p50_ms"] / bare["p50_ms"], 2)
    results["target_ratio_p50"] = 1.5
    return results
