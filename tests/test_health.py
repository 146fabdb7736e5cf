"""`dispute-desk health`: healthy while the connected bot beats, unhealthy when stale or absent."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.health import HEARTBEAT_KEY, STALE_AFTER_S, heartbeat_key, heartbeat_verdict
from tests.deskbot import desk_bot
from tests.fakediscord import FakeDiscord

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def stored(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def health(database: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "health"],
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(database.parent), "DATABASE_PATH": str(database)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_verdict_follows_the_age_of_the_last_beat() -> None:
    assert heartbeat_verdict(None, NOW) == (False, "unhealthy: no heartbeat yet (the bot has not connected to Discord)")
    healthy, line = heartbeat_verdict(stored(NOW - timedelta(seconds=30)), NOW)
    assert healthy and line == "healthy: last heartbeat 30 s ago"
    healthy, line = heartbeat_verdict(stored(NOW - timedelta(seconds=STALE_AFTER_S + 1)), NOW)
    assert not healthy and f"more than {STALE_AFTER_S} s" in line


async def test_a_connected_bot_is_healthy_and_a_silent_one_is_not(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    database = tmp_path / "desk.sqlite3"
    async with desk_bot(fake_discord, tmp_path) as bot:
        await bot.get_cog("MetaCog").heartbeat()  # type: ignore[union-attr]  # the loop's body, once
        assert (await bot.meta.get(HEARTBEAT_KEY)) is not None
    result = health(database)
    assert (result.returncode, result.stdout.split(":")[0]) == (0, "healthy"), result.stderr
    with sqlite3.connect(database) as db:
        an_hour_ago = stored(datetime.now(UTC) - timedelta(hours=1))
        db.execute("UPDATE meta SET updated_at = ? WHERE key = ?", (an_hour_ago, HEARTBEAT_KEY))
    result = health(database)
    assert result.returncode == 1 and result.stdout.startswith("unhealthy: last heartbeat")


def test_no_database_is_unhealthy_in_one_line(tmp_path: Path) -> None:
    result = health(tmp_path / "missing.sqlite3")
    assert result.returncode == 1
    assert result.stdout.strip().splitlines() == [f"unhealthy: no database at {tmp_path / 'missing.sqlite3'}"]


def test_each_process_of_a_split_bot_beats_on_its_own_key() -> None:
    assert heartbeat_key(None) == HEARTBEAT_KEY
    assert heartbeat_key((0, 1)) != heartbeat_key((2, 3))
    assert heartbeat_key((2, 3)) == "heartbeat:shards 2,3"
