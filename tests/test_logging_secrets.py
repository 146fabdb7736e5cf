"""Nothing secret reaches a log file, and the files the bot writes are private to its user."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Secret, Settings, env_file_warning
from bot.logging_setup import QUIET_AT_DEBUG, setup_logging
from bot.storage import Database

TOKEN = "XTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"
# Discord interaction tokens start with base64("interaction:").
INTERACTION_TOKEN = "aW50ZXJhY3Rpb246MTMxMjM0NTY3ODkwMTIzNDU2Nzg6c2VjcmV0c2VjcmV0c2VjcmV0"


@pytest.fixture
def logged(tmp_path: Path) -> Iterator[tuple[Path, logging.Logger]]:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    saved_levels = {name: logging.getLogger(name).level for name in QUIET_AT_DEBUG}
    old_umask = os.umask(0o022)  # the usual default: files would be created 0644
    try:
        settings = Settings(token=Secret(TOKEN), log_dir=tmp_path / "logs", log_level="DEBUG")
        path = setup_logging(settings)
        yield path, logging.getLogger("bot.test_logging_secrets")
    finally:
        os.umask(old_umask)
        for handler in root.handlers:
            if handler not in saved_handlers:
                handler.close()
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


def _flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def test_token_inside_a_traceback_is_redacted(logged: tuple[Path, logging.Logger]) -> None:
    path, log = logged
    try:
        raise RuntimeError(f"login failed with {TOKEN}")
    except RuntimeError:
        log.exception("could not start")
    _flush()
    text = path.read_text(encoding="utf-8")
    assert "Traceback" in text and "login failed with" in text
    assert TOKEN not in text


@pytest.mark.parametrize(
    "message",
    [
        f"POST https://discord.com/api/v10/interactions/1312345678901234567/{INTERACTION_TOKEN}/callback",
        f"PATCH /api/v10/webhooks/1234567890123/{INTERACTION_TOKEN}/messages/@original",
        "WebSocket Event: {'t': 'INTERACTION_CREATE', 'd': {'token': '" + INTERACTION_TOKEN + "', 'id': '1'}}",
        '{"type": 3, "token": "' + INTERACTION_TOKEN + '"}',
        f"bare {INTERACTION_TOKEN} in text",
    ],
)
def test_interaction_tokens_are_scrubbed(logged: tuple[Path, logging.Logger], message: str) -> None:
    path, log = logged
    log.debug("%s", message)
    _flush()
    text = path.read_text(encoding="utf-8")
    assert INTERACTION_TOKEN not in text
    assert "********" in text


def test_debug_does_not_switch_on_payload_and_sql_parameter_logs(logged: tuple[Path, logging.Logger]) -> None:
    # discord.py's gateway/http debug lines carry buyer text and tokens; aiosqlite's carry SQL
    # parameters. DEBUG is for our own code.
    assert logging.getLogger("bot").isEnabledFor(logging.DEBUG)
    for name in ("aiosqlite", "discord.gateway", "discord.http"):
        assert name in QUIET_AT_DEBUG
        assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name


def test_log_file_is_private(logged: tuple[Path, logging.Logger]) -> None:
    path, log = logged
    log.info("hello")
    _flush()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_database_file_is_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        async with await Database.open(tmp_path / "data" / "desk.sqlite3") as db:
            await db.migrate()
            wal = tmp_path / "data" / "desk.sqlite3-wal"
            assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "data" / "desk.sqlite3").stat().st_mode) == 0o600


def test_a_readable_env_file_gets_a_warning(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("DISCORD_TOKEN=x\n")
    env.chmod(0o644)
    warning = env_file_warning(env)
    assert warning is not None and str(env) in warning and "chmod 600" in warning
    env.chmod(0o600)
    assert env_file_warning(env) is None
    assert env_file_warning(tmp_path / "missing.env") is None
