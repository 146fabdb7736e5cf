"""`db migrate` and `db backup PATH`."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import EXIT_OK, EXIT_PROBLEMS, settings_or_exit
from bot.errors import DisputeDeskError
from bot.storage import Database
from bot.storage.database import storage_error


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help="database maintenance: migrate, backup")
    db_commands = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    migrate = db_commands.add_parser("migrate", help="apply pending migrations (the bot also does on start)")
    migrate.set_defaults(handler=handle_migrate)
    backup = db_commands.add_parser(
        "backup", help="copy the live database to PATH (safe while the bot runs)"
    )
    backup.add_argument("path", type=Path, help="the new backup file, e.g. backups/2026-11-28.sqlite3")
    backup.set_defaults(handler=handle_backup)


def handle_migrate(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def migrate() -> int:
        async with await Database.open(settings.database_path) as db:
            applied = await db.migrate()
            version = await db.schema_version()
        names = ", ".join(f"{m.version:04d}_{m.name}" for m in applied) or "none pending"
        print(f"{settings.database_path}: applied {names}; schema version {version}")
        return EXIT_OK

    return _run(migrate(), settings.database_path)


def handle_backup(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def backup() -> int:
        if not settings.database_path.exists():
            raise DisputeDeskError(f"{settings.database_path} does not exist: nothing to back up")
        async with await Database.open(settings.database_path) as db:
            target = await db.backup(args.path)
        print(f"backed up {settings.database_path} to {target}")
        return EXIT_OK

    return _run(backup(), settings.database_path)


def _run(coro: Any, database_path: Path) -> int:
    try:
        return int(asyncio.run(coro))
    except sqlite3.Error as exc:
        print(f"error: {storage_error(database_path, exc)}", file=sys.stderr)
        return EXIT_PROBLEMS
    except DisputeDeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
