"""Run `python -m bot run` as a real process against the in-process fake Discord."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.fakediscord import FakeDiscord

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class BotProcess:
    """Start, SIGKILL and restart the bot process; the database file stays between runs."""

    def __init__(self, fake: FakeDiscord, workdir: Path, **extra_env: str) -> None:
        self.fake = fake
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(workdir),
            **fake.env(),
            "DATABASE_PATH": str(workdir / "desk.sqlite3"),
            "LOG_DIR": str(workdir / "logs"),
            **extra_env,
        }
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        #: The shards this process runs (SHARD_IDS), None for all of them.
        self.shards = _shard_ids(self.env.get("SHARD_IDS"))

    async def start(self, timeout: float = 30) -> None:
        if self.shards is None:
            self.fake.gateway.ready.clear()
        else:
            for shard in self.shards:
                self.fake.gateway.shards[shard].ready.clear()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=PROJECT_ROOT, env=self.env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        self.starts += 1
        await self.fake.wait_ready(timeout=timeout, shards=self.shards)

    async def kill(self) -> None:
        """SIGKILL: no clean-up at all, as when the machine loses power."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        shards = self.fake.gateway.shards
        own = [shards[n] for n in (self.shards if self.shards is not None else shards)]
        await self.fake.wait_for(lambda: not any(s.connected for s in own), 10, "the gateway to notice the kill")

    async def restart(self) -> None:
        await self.kill()
        await self.start()

    async def stop(self) -> int | None:
        if self.process is None or self.process.returncode is not None:
            return self.process.returncode if self.process else None
        self.process.terminate()
        try:
            return await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            self.process.kill()
            return await self.process.wait()


def _shard_ids(value: str | None) -> list[int] | None:
    """``0-1`` or ``2,3`` -> the shard numbers (the test's own SHARD_IDS, always well formed)."""
    if not value:
        return None
    ids: list[int] = []
    for part in value.split(","):
        low, _, high = part.partition("-")
        ids.extend(range(int(low), int(high or low) + 1))
    return ids
