"""Start the real Dispute Desk bot against the fake Discord, with a real SQLite file (or DATABASE_URL)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

from bot.client import EXTENSIONS, DisputeBot
from bot.config import Settings, load_settings
from bot.storage import Database
from tests.fakediscord import FakeDiscord, running_bot


def desk_settings(fake: FakeDiscord, tmp_path: Path, **overrides: str) -> Settings:
    env = {
        "DISCORD_TOKEN": fake.token,
        "DATABASE_PATH": str(tmp_path / "desk.sqlite3"),
        "LOG_DIR": str(tmp_path / "logs"),
        "DISCORD_API_BASE_URL": fake.api_base_url,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        **overrides,
    }
    return load_settings(env)


@contextlib.asynccontextmanager
async def desk_bot(
    fake: FakeDiscord,
    tmp_path: Path,
    *,
    extensions: Sequence[str] = EXTENSIONS,
    prepare: Callable[[DisputeBot], None] | None = None,
    **overrides: str,
) -> AsyncIterator[DisputeBot]:
    """A running DisputeBot; ``prepare`` may add test-only commands before it starts."""
    settings = desk_settings(fake, tmp_path, **overrides)
    async with await Database.open(settings.database) as db:
        bot = DisputeBot(settings, db, extensions=extensions)
        # The fake waits PATIENCE_S for an answer, not Discord's 3 s: on a busy test machine a step
        # that takes 1.3 s must still be answered in one request, as the tests expect (the test of
        # the acknowledge-first path sets 0). `make bench` measures the real budget.
        bot.acknowledge_after_s = 2.5
        bot.form_ready_s = 25.0
        if prepare is not None:
            prepare(bot)
        async with running_bot(bot, fake, ready_timeout=10):
            yield bot
