"""`db migrate`, `db backup PATH`, `db restore PATH`, `db copy --from URL --to URL`, and one user's
data: `db export USER_ID`, `db forget USER_ID`. The database is DATABASE_URL (or DATABASE_PATH)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, settings_or_exit
from bot.errors import ConfigError, DisputeDeskError
from bot.storage import Database
from bot.storage.database import ENGINE_ERRORS, storage_error
from bot.storage.transfer import backup, copy_database, restore
from bot.storage.url import DatabaseUrl, parse_database_url
from bot.storage.user_data import export_user_data, forget_user


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "db", help="database maintenance: migrate, backup, restore, copy, export or forget a user"
    )
    db_commands = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    migrate = db_commands.add_parser("migrate", help="apply pending migrations (the bot also does on start)")
    migrate.set_defaults(handler=handle_migrate)
    backup_parser = db_commands.add_parser(
        "backup", help="copy the live database to PATH (safe while the bot runs; PostgreSQL: pg_dump)"
    )
    backup_parser.add_argument("path", type=Path, help="the new backup file, e.g. backups/2026-11-28.sqlite3")
    backup_parser.set_defaults(handler=handle_backup)
    restore_parser = db_commands.add_parser(
        "restore", help="put a backup made by `db backup` back (stop the bot first; PostgreSQL: pg_restore)"
    )
    restore_parser.add_argument("path", type=Path, help="the backup file")
    restore_parser.set_defaults(handler=handle_restore)
    copy = db_commands.add_parser(
        "copy", help="copy every row from one database to another, empty one (SQLite to PostgreSQL or back)"
    )
    copy.add_argument("--from", dest="source", type=_database_url, required=True, metavar="URL",
                      help="sqlite:///data/dispute-desk.sqlite3 or postgresql://user:password@host/dbname")
    copy.add_argument("--to", dest="target", type=_database_url, required=True, metavar="URL",
                      help="the empty database to fill (migrated first)")  # fmt: skip
    copy.set_defaults(handler=handle_copy)
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


def _database_url(text: str) -> DatabaseUrl:
    try:
        return parse_database_url(text, "URL")
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def handle_migrate(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def migrate() -> int:
        async with await Database.open(settings.database) as db:
            applied = await db.migrate()
            version = await db.schema_version()
        names = ", ".join(f"{m.version:04d}_{m.name}" for m in applied) or "none pending"
        print(f"{settings.database.shown}: applied {names}; schema version {version}")
        return EXIT_OK

    return _run(migrate(), settings.database.shown)


def handle_backup(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def run() -> int:
        target = await backup(settings.database, args.path)
        print(f"backed up {settings.database.shown} to {target}")
        return EXIT_OK

    if args.path.exists():
        print(f"error: {args.path} already exists; choose a new file name", file=sys.stderr)
        return EXIT_USAGE
    return _run(run(), settings.database.shown)


def handle_restore(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def run() -> int:
        print(await restore(settings.database, args.path))
        return EXIT_OK

    return _run(run(), settings.database.shown)


def handle_copy(args: argparse.Namespace) -> int:
    if args.source == args.target:
        print("error: --from and --to name the same database", file=sys.stderr)
        return EXIT_USAGE
    if args.source.path is not None and not args.source.path.exists():
        return _nothing_stored(args.source.path)

    async def run() -> int:
        async with await Database.open(args.source) as source, await Database.open(args.target) as target:
            copied = await copy_database(source, target)
        listed = ", ".join(f"{count} {table}" for table, count in copied.items())
        print(f"copied {args.source.shown} to {args.target.shown}: {listed}")
        return EXIT_OK

    return _run(run(), f"{args.source.shown} -> {args.target.shown}")


def handle_export(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def export() -> int:
        async with await Database.open(settings.database) as db:
            await db.migrate()
            data = await export_user_data(db, args.user_id)
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return EXIT_OK

    if settings.database.path is not None and not settings.database.path.exists():
        return _nothing_stored(settings.database.path)
    return _run(export(), settings.database.shown)


def handle_forget(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def forget() -> int:
        async with await Database.open(settings.database) as db:
            await db.migrate()
            removed = await forget_user(db, args.user_id)
        listed = ", ".join(f"{count} from {table}" for table, count in removed.items() if count) or "nothing stored"
        print(f"forgot user {args.user_id}: {listed}")
        return EXIT_OK

    if settings.database.path is not None and not settings.database.path.exists():
        return _nothing_stored(settings.database.path)
    return _run(forget(), settings.database.shown)


def _nothing_stored(path: Path) -> int:
    print(f"error: {path} does not exist: nothing is stored", file=sys.stderr)
    return EXIT_PROBLEMS


def _run(coro: Any, database: str) -> int:
    try:
        return int(asyncio.run(coro))
    except ENGINE_ERRORS as exc:
        print(f"error: {storage_error(database, exc)}", file=sys.stderr)
        return EXIT_PROBLEMS
    except DisputeDeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
