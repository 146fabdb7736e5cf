"""``dispute-desk templates export|import --guild ID|--user ID FILE``: move template libraries.

Export writes a server's library (or one person's templates) as the versioned JSON file that
/library export attaches. Import prints the dry run (added, changed, unchanged, conflicts and how
they resolve) and writes nothing until confirmed: ``--yes``, or ``y`` at the prompt in a terminal.
Everything is written in one transaction; a bad file is refused with its first problem named.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, settings_or_exit
from bot.errors import DisputeDeskError
from bot.replies import LIBRARY_DIR
from bot.replies.library import SHARED_VARIABLES_FILE, load_shared_variables
from bot.replies.template_transfer import (
    MAX_FILE_BYTES,
    OnConflict,
    Scope,
    apply_import,
    export_library,
    plan_import,
)
from bot.storage import Database
from bot.storage.database import storage_error

OPERATOR_ID = 0  # the author recorded for versions written from the command line


def register_transfer(commands: Any) -> None:
    export = commands.add_parser("export", help="write a server's or a user's templates to a JSON file")
    _owner(export)
    export.add_argument("--category", help="only this category of a server's library")
    export.add_argument("file", type=Path, metavar="FILE", help="the new JSON file, e.g. library.json")
    export.set_defaults(handler=export_command)

    imported = commands.add_parser("import", help="dry-run, then import a JSON export (all or nothing)")
    _owner(imported)
    imported.add_argument("file", type=Path, metavar="FILE", help="a file written by export")
    imported.add_argument(
        "--replace", action="store_true", help="on a conflict the file's text wins (default: the library keeps its)"
    )
    imported.add_argument("--yes", action="store_true", help="import after the dry run without asking")
    imported.set_defaults(handler=import_command)


def _owner(parser: argparse.ArgumentParser) -> None:
    owner = parser.add_mutually_exclusive_group(required=True)
    owner.add_argument("--guild", type=_snowflake, metavar="ID", help="a server (guild) id: its library")
    owner.add_argument("--user", type=_snowflake, metavar="ID", help="a user id: their personal templates")


def _snowflake(text: str) -> int:
    if not (text.isascii() and text.isdigit() and 15 <= len(text) <= 21):
        raise argparse.ArgumentTypeError(f"{text!r} is not a Discord id (15-21 digits)")
    return int(text)


def _scope(args: argparse.Namespace) -> tuple[Scope, int]:
    return ("guild", args.guild) if args.guild is not None else ("user", args.user)


def export_command(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    scope, owner = _scope(args)
    if args.file.exists():
        print(f"error: {args.file} already exists; choose a new file name", file=sys.stderr)
        return EXIT_USAGE

    async def export() -> int:
        async with await Database.open(settings.database_path) as db:
            await db.migrate()
            data = await export_library(db, scope, owner, datetime.now(UTC), category=args.category)
        args.file.write_bytes(data)
        count = len(json.loads(data)["templates"])
        print(f"exported {count} templates to {args.file}")
        return EXIT_OK

    return _run(export(), settings.database_path)


def import_command(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    scope, owner = _scope(args)
    try:
        with args.file.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        print(f"error: {args.file}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    shared = load_shared_variables(LIBRARY_DIR / SHARED_VARIABLES_FILE)
    on_conflict: OnConflict = "replace" if args.replace else "keep"

    async def run() -> int:
        async with await Database.open(settings.database_path) as db:
            await db.migrate()
            plan = await plan_import(db, scope, owner, data, shared, on_conflict=on_conflict)
            print(plan.summary())
            if not args.yes and not _confirmed():
                print("Nothing imported. Run again with --yes to import.", file=sys.stderr)
                return EXIT_OK
            await apply_import(
                db, scope, owner, data, shared, author_id=OPERATOR_ID, now=datetime.now(UTC),
                on_conflict=on_conflict, expected_digest=plan.digest,
            )  # fmt: skip
        written = sum(1 for entry in plan.entries if entry.writes)
        print(f"imported: {written} templates written in one transaction")
        return EXIT_OK

    return _run(run(), settings.database_path)


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        return False
    return input("Import these? [y/N] ").strip().lower() in ("y", "yes")


def _run(coro: Any, database_path: Path) -> int:
    try:
        return int(asyncio.run(coro))
    except sqlite3.Error as exc:
        print(f"error: {storage_error(database_path, exc)}", file=sys.stderr)
        return EXIT_PROBLEMS
    except DisputeDeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
