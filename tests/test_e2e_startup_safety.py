"""Start-up never syncs a partial command tree: a failed extension would delete its commands."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.client import EXTENSIONS, DisputeBot
from bot.errors import DisputeDeskError
from bot.storage import Database
from tests.deskbot import desk_bot, desk_settings
from tests.fakediscord import FakeDiscord


async def test_no_sync_when_an_extension_failed(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        async with desk_bot(fake_discord, tmp_path, extensions=("tests.no_such_extension", *EXTENSIONS)) as bot:
            assert list(bot.failed_extensions) == ["tests.no_such_extension"]
            assert bot.synced_on_start is False
    assert fake_discord.sync_count == 0
    assert any("not syncing" in r.getMessage() for r in caplog.records)
    # Once every extension loads again, the next start syncs as usual.
    async with desk_bot(fake_discord, tmp_path) as bot:
        assert bot.synced_on_start is True
    assert fake_discord.sync_count == 1


async def test_forced_sync_is_refused_when_an_extension_failed(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    settings = desk_settings(fake_discord, tmp_path)
    async with await Database.open(settings.database_path) as db:
        bot = DisputeBot(settings, db, extensions=("tests.no_such_extension", *EXTENSIONS), sync_policy="force")
        with pytest.raises(DisputeDeskError, match=r"tests\.no_such_extension"):
            async with bot:
                await bot.login(settings.token.reveal() if settings.token else "")
    assert fake_discord.sync_count == 0
