"""`db migrate`, `db backup PATH`, and one user's data: `db export USER_ID`, `db forget USER_ID`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, settings_or_exit
from bot.errors import DisputeDeskError
from bot.storage import Database
from bot.storage.database import storage_error
from bot.storage.user_data import export_user_data, forget_user


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help="database maintenance: migrate, backup, export or forget a user")
    db_commands = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    migrate = db_commands.add_parser("migrate", help="apply pending migrations (the bot also does on start)")
    migrate.set_defaults(handler=handle_migrate)
    backup = db_commands.add_parser(
        "backup", help="copy the live database to PATH (safe while the bot runs)"
    )
    backup.add_argument("path", type=Path, help="the new backup file, e.g. backups/2026-11-28.sqlite3")
    backup.set_defaults(handler=handle_backup)
    export = db_commands.add_parser("export", help="print everything stored about one Discord user, as JSON")
    export.add_argument("user_id", type=_user_id, help="the Discord user id")
    export.set_defaults(handler=handle_export)
    forget = db_commands.add_parser("forget", help="delete everything stored about one Discord user")
    forget.add_argument("user_id", type=_user_id, help="the Discord user id")
    forget.set_defaults(handler=handle_forget)


def _user_id(text: str) -> int:
    if not (text.isascii() and text.isdigit() and 15 <= len(text) <= 21):
        raise argparse.ArgumentTypeError(f"{text!r} is not a Discord user id (15-21 digits)")
    return int(text)


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

    if args.path.exists():
        print(f"error: {args.path} already exists; choose a new file name", file=sys.stderr)
        return EXIT_USAGE
    return _run(backup(), settings.database_path)


def handle_export(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def export() -> int:
        async with await Database.open(settings.database_path) as db:
            await db.migrate()
            data = await export_user_data(db, args.user_id)
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return EXIT_OK

    if not settings.database_path.exists():
        return _nothing_stored(settings.database_path)
    return _run(export(), settings.database_path)


def handle_forget(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def forget() -> int:
        async with await Database.open(settings.database_path) as db:
            await db.migrate()
            removed = await forget_user(db, args.user_id)
        listed = ", ".join(f"{count} from {table}" for table, count in removed.items() if count) or "nothing stored"
        print(f"forgot user {args.user_id}: {listed}")
        return EXIT_OK

    if not settings.database_path.exists():
        return _nothing_stored(settings.database_path)
    return _run(forget(), settings.database_path)


def _nothing_stored(path: Path) -> int:
    print(f"error: {path} does not exist: nothing is stored", file=sys.stderr)
    return EXIT_PROBLEMS


def _run(coro: Any, database_path: Path) -> int:
    try:
        return int(asyncio.run(coro))
    except sqlite3.Error as exc:
        print(f"error: {storage_error(database_path, exc)}", file=sys.stderr)
        return EXIT_PROBLEMS
    except DisputeDeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
