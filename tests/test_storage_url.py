"""DATABASE_URL: which engine and where, one clear line when it is wrong, never the password shown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import ConfigError
from bot.storage import Database, StorageError


def test_without_database_url_the_sqlite_file_is_database_path() -> None:
    settings = load_settings({"DATABASE_PATH": "/srv/desk.sqlite3"})
    assert settings.database.dialect == "sqlite" and settings.database.path == Path("/srv/desk.sqlite3")


@pytest.mark.parametrize(
    ("url", "path"),
    [("sqlite:///data/x.sqlite3", Path("data/x.sqlite3")), ("sqlite:////srv/x.sqlite3", Path("/srv/x.sqlite3"))],
)
def test_an_sqlite_url_sets_the_file(url: str, path: Path) -> None:
    settings = load_settings({"DATABASE_URL": url, "DATABASE_PATH": "ignored.sqlite3"})
    assert settings.database_path == path and settings.database.path == path


def test_a_postgresql_url_is_kept_and_shown_without_its_password() -> None:
    settings = load_settings({"DATABASE_URL": "postgresql://desk:s3cret-pw@db.internal:5432/desk"})
    assert settings.database.dialect == "postgresql"
    assert settings.database.dsn == "postgresql://desk:s3cret-pw@db.internal:5432/desk"
    assert settings.database.shown == "postgresql://desk:***@db.internal:5432/desk"
    assert "s3cret" not in repr(settings.database.shown)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mysql://u:pw@h/db", "must start with sqlite:/// or postgresql://"),
        ("data/desk.sqlite3", "must start with sqlite:/// or postgresql://"),
        ("sqlite://", "needs a file after sqlite:///"),
        ("postgresql://u:pw@h:port/db", "not a valid PostgreSQL URL"),
        ("postgresql:///db", "needs a host"),
    ],
)
def test_a_bad_url_is_refused_naming_the_setting(value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"DATABASE_URL": value})
    message = str(caught.value)
    assert message.startswith("DATABASE_URL: ") and expected in message and "\n" not in message
    assert "pw@" not in message


def test_a_bad_url_stops_the_cli_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "migrate"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DATABASE_URL": "mongodb://u:hunter2@h/db"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: DATABASE_URL: must start with"), result.stderr
    assert "hunter2" not in result.stderr


async def test_an_unreachable_postgresql_is_one_storage_error_without_the_password() -> None:
    with pytest.raises(StorageError) as caught:
        await Database.open("postgresql://desk:hunter2@127.0.0.1:9/desk")  # nothing listens on port 9
    assert "cannot connect" in str(caught.value) and "hunter2" not in str(caught.value)
