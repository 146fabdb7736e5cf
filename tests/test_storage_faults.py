"""Storage faults end in one line naming the file and a non-zero exit, never a hang or a traceback."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import Settings, load_settings
from bot.runner import run_bot
from bot.storage import Database
from bot.storage.database import SchemaTooNewError, StorageError
from bot.storage.sqlite import single_process


def _garbage(path: Path) -> Path:
    # Deterministic bytes that are not an SQLite header.
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(100_000)))
    return path


@dataclass
class _Result:
    returncode: int
    stderr: str


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., _Result]:
    """``python -m bot`` in this process (fast); the `run` tests below use a real subprocess."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str, database: Path) -> _Result:
        monkeypatch.setenv("DATABASE_PATH", str(database))
        capsys.readouterr()
        code = main(list(args))
        return _Result(code, capsys.readouterr().err)

    return run


def _one_error_line(stderr: str, path: Path) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and str(path) in lines[0], stderr
    assert "Traceback" not in stderr


async def test_opening_a_garbage_file_raises_one_storage_error_and_leaks_no_thread(tmp_path: Path) -> None:
    path = _garbage(tmp_path / "g.sqlite3")
    before = {t.ident for t in threading.enumerate()}
    with pytest.raises(StorageError) as caught:
        await Database.open(path)
    assert str(path) in str(caught.value)
    # aiosqlite runs each connection in a non-daemon thread: a leaked one keeps the process alive.
    leaked = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    for thread in leaked:
        thread.join(timeout=5)
    assert not [t for t in leaked if t.is_alive()]


@pytest.mark.parametrize("command", [("db", "migrate"), ("db", "backup", "copy.sqlite3")])
def test_cli_on_a_garbage_database_prints_one_line_and_exits(
    tmp_path: Path, command: tuple[str, ...], cli: Callable[..., _Result]
) -> None:
    path = _garbage(tmp_path / "g.sqlite3")
    result = cli(*command, database=path)
    assert result.returncode == 1
    _one_error_line(result.stderr, path)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)


def _run_settings(tmp_path: Path, database: Path) -> Settings:
    return load_settings(
        {
            "DATABASE_PATH": str(database),
            "DISCORD_TOKEN": "MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.token-for-tests-not-a-real-one",
            "DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10",
            "LOG_DIR": str(tmp_path / "logs"),
        }
    )


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_run_on_a_garbage_database_logs_one_line_and_exits(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, restore_logging: None
) -> None:
    path = _garbage(tmp_path / "g.sqlite3")
    before = {t.ident for t in threading.enumerate()}
    with caplog.at_level(logging.ERROR):
        assert await run_bot(_run_settings(tmp_path, path)) == 1
    errors = _errors(caplog)
    assert len(errors) == 1 and str(path) in errors[0], errors
    assert not [r for r in caplog.records if r.exc_info]
    started = [t for t in threading.enumerate() if t.ident not in before and not t.daemon]
    for thread in started:
        thread.join(timeout=5)  # a closed connection's thread ends right after close() returns
    assert not [t for t in started if t.is_alive()]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through a read-only folder")
def test_database_in_a_read_only_folder_gives_one_line(tmp_path: Path, cli: Callable[..., _Result]) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    with sqlite3.connect(folder / "desk.sqlite3") as conn:
        conn.execute("CREATE TABLE t (x)")
    folder.chmod(0o555)
    try:
        result = cli("db", "migrate", database=folder / "desk.sqlite3")
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1
    _one_error_line(result.stderr, folder / "desk.sqlite3")


async def _database_at_version(path: Path, version: int) -> None:
    async with await Database.open(path) as db:
        await db.migrate()
        await db.execute("INSERT INTO schema_migrations (version, name) VALUES (?, 'from_the_future')", (version,))


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    await _database_at_version(path, 99)
    async with await Database.open(path) as db:
        with pytest.raises(SchemaTooNewError, match="version 99"):
            await db.migrate()


def test_cli_migrate_refuses_a_newer_schema(tmp_path: Path, cli: Callable[..., _Result]) -> None:
    path = tmp_path / "desk.sqlite3"
    asyncio.run(_database_at_version(path, 99))
    result = cli("db", "migrate", database=path)
    assert result.returncode == 1
    _one_error_line(result.stderr, path)
    assert "99" in result.stderr


class _Killed(Exception):
    """Stands in for the process dying in the middle of a backup."""


async def test_backup_interrupted_midway_leaves_no_file_under_the_final_name(tmp_path: Path) -> None:
    target = tmp_path / "backups" / "copy.sqlite3"
    steps: list[int] = []

    def die_after_the_first_step(_status: int, remaining: int, total: int) -> None:
        steps.append(remaining)
        assert not target.exists()  # the final name appears only once the copy is complete
        raise _Killed

    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await db.migrate()
        await db.execute("CREATE TABLE filler (x TEXT)")
        await db.execute("INSERT INTO filler SELECT hex(randomblob(500)) FROM (WITH RECURSIVE n(i) AS "
                         "(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) SELECT i FROM n)")
        with pytest.raises(_Killed):
            await db.backup(target, pages_per_step=8, progress=die_after_the_first_step)
        assert len(steps) == 1 and steps[0] > 0  # it really stopped part-way
        assert sorted(p.name for p in target.parent.iterdir()) == []
        # A complete backup afterwards works and passes its own check.
        await db.backup(target, pages_per_step=8)
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT count(*) FROM filler").fetchone() == (2000,)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _corrupt_database(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE filler (x TEXT)")
        conn.execute("CREATE INDEX filler_x ON filler (x)")
        conn.executemany("INSERT INTO filler VALUES (?)", [(f"row {i:05d} " * 20,) for i in range(3000)])
    conn.close()
    data = bytearray(path.read_bytes())
    page = 4096
    # Scribble over the middle of a few index/table pages, leaving the header and schema intact.
    for start in range(page * 5, page * 9, page):
        data[start + 100 : start + 1200] = bytes(1100)
    path.write_bytes(bytes(data))


def test_backup_of_a_corrupt_database_is_refused(tmp_path: Path, cli: Callable[..., _Result]) -> None:
    source = tmp_path / "desk.sqlite3"
    _corrupt_database(source)
    result = cli("db", "backup", "copy.sqlite3", database=source)
    assert result.returncode == 1
    _one_error_line(result.stderr, source)
    assert "integrity" in result.stderr
    assert not (tmp_path / "copy.sqlite3").exists()


async def test_one_bot_process_per_sqlite_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, restore_logging: None
) -> None:
    path = tmp_path / "desk.sqlite3"
    with single_process(path) as lock:
        assert lock.read_text().strip() == str(os.getpid())
        second_holder = single_process(path)
        with pytest.raises(StorageError, match=f"another Dispute Desk process \\(pid {os.getpid()}\\)"):
            second_holder.__enter__()
        with caplog.at_level(logging.ERROR):
            assert await run_bot(_run_settings(tmp_path, path)) == 1
        errors = _errors(caplog)
        assert len(errors) == 1 and "another Dispute Desk process" in errors[0], errors
        assert not path.exists()  # it stopped before opening the database
    with single_process(path):  # released with the first holder
        pass
