"""Settings: defaults, validation messages naming the setting, secrets that never show."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Secret, load_settings, read_environment
from bot.errors import ConfigError
from bot.logging_setup import RedactingFilter

TOKEN = "test-token-not-real.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_defaults_without_any_setting() -> None:
    settings = load_settings({})
    assert settings.token is None
    assert settings.database_path == Path("data/dispute-desk.sqlite3")
    assert settings.log_level == "INFO"
    assert settings.dev_guild_id is None
    assert settings.owner_ids == frozenset()
    assert settings.api_base_url is None and settings.gateway_url is None
    assert settings.session_ttl_days == 7
    assert settings.shard_count is None and settings.shard_ids is None  # discord.py asks Discord


def test_every_setting_is_read() -> None:
    settings = load_settings(
        {
            "DISCORD_TOKEN": TOKEN,
            "DATABASE_PATH": "/tmp/x.sqlite3",
            "LOG_LEVEL": "debug",
            "DEV_GUILD_ID": "123456789012345678",
            "OWNER_IDS": "111111111111111111, 222222222222222222",
            "DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10/",
            "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9/",
            "SESSION_TTL_DAYS": "3",
            "SHARD_COUNT": "8",
            "SHARD_IDS": "0-1, 6",
        }
    )
    assert settings.token is not None and settings.token.reveal() == TOKEN
    assert settings.database_path == Path("/tmp/x.sqlite3")
    assert settings.log_level == "DEBUG" and settings.log_level_number == logging.DEBUG
    assert settings.dev_guild_id == 123456789012345678
    assert settings.owner_ids == {111111111111111111, 222222222222222222}
    assert settings.api_base_url == "http://127.0.0.1:9/api/v10"
    assert settings.gateway_url == "ws://127.0.0.1:9"
    assert settings.session_ttl_days == 3
    assert settings.shard_count == 8 and settings.shard_ids == (0, 1, 6)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOG_LEVEL", "LOUD"),
        ("DEV_GUILD_ID", "my-server"),
        ("OWNER_IDS", "1234, abc"),
        ("DISCORD_API_BASE_URL", "127.0.0.1:8080"),
        ("DISCORD_GATEWAY_URL", "http://127.0.0.1:8080/"),
        ("SESSION_TTL_DAYS", "0"),
        ("CASE_RETENTION_DAYS", "0"),
        ("SHARD_COUNT", "0"),
        ("DISCORD_TOKEN", "Bot abc.def.ghi"),
        ("DISCORD_TOKEN", "abc"),
    ],
)
def test_invalid_value_names_the_setting(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({name: value})
    assert str(caught.value).startswith(f"{name}: must be")
    if name == "DISCORD_TOKEN":  # a token is never repeated back, not even a malformed one
        assert value not in str(caught.value) and "three parts joined by dots" in str(caught.value)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHARD_IDS": "0-1"}, "SHARD_IDS: needs SHARD_COUNT too"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "2-5"}, "SHARD_IDS: '2-5' is not a range of shards from 0 to 3"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "3-1"}, "SHARD_IDS: '3-1' is not a range of shards from 0 to 3"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "one"}, "SHARD_IDS: must be shard numbers or ranges"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0,-1"}, "SHARD_IDS: must be shard numbers or ranges"),
    ],
)
def test_shard_settings_are_checked_together(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    assert str(caught.value).startswith(message)


def test_token_never_in_repr_or_str() -> None:
    settings = load_settings({"DISCORD_TOKEN": TOKEN})
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings.token)
    assert TOKEN not in f"{settings}"
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")


def test_env_file_is_read_and_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("LOG_LEVEL=WARNING\nDEV_GUILD_ID=123456789012345678\n")
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    monkeypatch.delenv("DEV_GUILD_ID", raising=False)
    merged = read_environment(env_file)
    assert merged["LOG_LEVEL"] == "ERROR"
    assert merged["DEV_GUILD_ID"] == "123456789012345678"


def test_redacting_filter_scrubs_the_token() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token is %s", (TOKEN,), None)
    RedactingFilter([TOKEN]).filter(record)
    assert TOKEN not in record.getMessage()
    assert "********" in record.getMessage()


def test_invalid_setting_exits_2_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={"PATH": "/usr/bin:/bin", "LOG_LEVEL": "LOUD", "HOME": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'"
    ]


def test_run_without_token_explains_and_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr
    assert ".venv/bin/dispute-desk invite" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 8


def test_every_setting_read_is_documented() -> None:
    """Each name load_settings reads is in .env.example and in the settings table of docs/operations.md."""
    root = Path(__file__).resolve().parents[1]
    source = (root / "bot" / "config.py").read_text(encoding="utf-8")
    names = set(re.findall(r'get\("([A-Z_]+)"\)', source))
    assert {"DISCORD_TOKEN", "DATABASE_PATH", "SHARD_COUNT", "SHARD_IDS"} <= names
    example = (root / ".env.example").read_text(encoding="utf-8")
    table = (root / "docs" / "operations.md").read_text(encoding="utf-8")
    assert [n for n in sorted(names) if not re.search(rf"^#? ?{n}=", example, re.M)] == []
    assert [n for n in sorted(names) if f"| `{n}` |" not in table] == []
