"""`python -m bot` as a user runs it: version, help, db migrate and backup, invite."""

from __future__ import annotations

import base64
import sqlite3
import subprocess
import sys
from pathlib import Path

import bot

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_version_and_help_everywhere(tmp_path: Path) -> None:
    assert run_cli("--version", cwd=tmp_path).stdout.strip() == f"Dispute Desk {bot.__version__}"
    for args in (("--help",), ("run", "--help"), ("db", "--help"), ("db", "backup", "--help"), ("invite", "--help")):
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 0, (args, result.stderr)
        assert "usage: dispute-desk" in result.stdout


def test_db_migrate_then_backup(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "data" / "desk.sqlite3")}
    migrated = run_cli("db", "migrate", cwd=tmp_path, env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert "applied 0001_meta" in migrated.stdout
    again = run_cli("db", "migrate", cwd=tmp_path, env=env)
    assert "none pending" in again.stdout
    backup = tmp_path / "backups" / "copy.sqlite3"
    result = run_cli("db", "backup", str(backup), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(backup) as copy:
        versions = [row[0] for row in copy.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions[0] == 1 and versions == list(range(1, len(versions) + 1))
    refused = run_cli("db", "backup", str(backup), cwd=tmp_path, env=env)
    assert refused.returncode == 2 and "already exists" in refused.stderr


def test_backup_of_a_missing_database_is_refused(tmp_path: Path) -> None:
    result = run_cli("db", "backup", "x.sqlite3", cwd=tmp_path, env={"DATABASE_PATH": str(tmp_path / "none.db")})
    assert result.returncode == 1 and "does not exist" in result.stderr


def test_invite_reads_the_client_id_from_the_token(tmp_path: Path) -> None:
    encoded = base64.urlsafe_b64encode(b"123456789012345678").decode().rstrip("=")
    (tmp_path / ".env").write_text(f"DISCORD_TOKEN={encoded}.GabcDE.abcdefghijklmnopqrstuvwxyz012345\n")
    result = run_cli("invite", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "client_id=123456789012345678" in result.stdout
    assert "integration_type=1" in result.stdout
    assert "abcdefghijklmnopqrstuvwxyz012345" not in result.stdout


def test_sync_without_a_token_says_so(tmp_path: Path) -> None:
    result = run_cli("sync", cwd=tmp_path)
    assert result.returncode == 2 and "DISCORD_TOKEN is not set" in result.stderr


def test_an_application_id_that_is_not_one_is_refused_with_exit_2(tmp_path: Path) -> None:
    result = run_cli("invite", "--client-id", "123", cwd=tmp_path)
    assert result.returncode == 2
    assert "'123' is not an application id (15-21 digits" in result.stderr
    assert "discord.com/oauth2" not in result.stdout  # no bogus link


def test_templates_without_an_action_names_the_actions(tmp_path: Path) -> None:
    result = run_cli("templates", cwd=tmp_path)
    assert result.returncode == 2
    assert "ACTION {lint,render,export,import}" in result.stderr and "templates_command" not in result.stderr


def test_a_database_path_under_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    database = tmp_path / "a-file" / "desk.sqlite3"
    result = run_cli(
        "run",
        cwd=tmp_path,
        env={"DATABASE_PATH": str(database), "LOG_DIR": str(tmp_path / "logs"),
             "DISCORD_TOKEN": "MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.token-for-tests-not-a-real-one",
             "DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10"},
    )  # fmt: skip
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and f"cannot create {database}.lock" in errors[0], result.stderr
    assert "Traceback" not in result.stderr
