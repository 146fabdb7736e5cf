"""`health`: exit 0 when the running bot's heartbeat is recent, else 1 (for Docker and systemd)."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from typing import Any

from bot.cli.common import EXIT_OK, EXIT_PROBLEMS, settings_or_exit
from bot.health import heartbeat_key, heartbeat_verdict
from bot.storage import Database, MetaRepository
from bot.storage.database import STORAGE_FAILURES


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "health", help="exit 0 if the running bot sent a heartbeat in the last 3 minutes, else 1"
    )
    parser.set_defaults(handler=handle_health)


def handle_health(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    if settings.database.dialect == "sqlite" and not settings.database_path.exists():
        print(f"unhealthy: no database at {settings.database_path}")
        return EXIT_PROBLEMS

    async def read() -> str | None:
        async with await Database.open(settings.database) as db:
            entry = await MetaRepository(db).get(heartbeat_key(settings.shard_ids))
        return entry.updated_at if entry else None

    try:
        updated_at = asyncio.run(read())
    except STORAGE_FAILURES as exc:
        print(f"unhealthy: cannot read {settings.database.shown}: {exc}")
        return EXIT_PROBLEMS
    healthy, line = heartbeat_verdict(updated_at, datetime.now(UTC))
    print(line)
    return EXIT_OK if healthy else EXIT_PROBLEMS
