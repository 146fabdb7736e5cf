"""`run`: start the bot, or explain how to get a token (and offer the offline walk-through)."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from typing import Any

from bot.cli.common import EXIT_USAGE, settings_or_exit

SETUP_GUIDANCE = (
    """\
Dispute Desk needs a bot token to connect to Discord, and none is set.
  1. Create an application at https://discord.com/developers/applications, open Bot, Reset Token, copy it.
  2. Put it in a file named .env here: DISCORD_TOKEN=your-token (see .env.example), then run again.
  3. Invite it with the link from: .venv/bin/dispute-desk invite
Without a token you can still use the offline modes: make try (interactive) or
.venv/bin/dispute-desk draft --answers examples/s1-fiverr-cancellation.json (scripted)."""
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("run", help="start the bot (the default command)")
    parser.add_argument(
        "--no-offline",
        action="store_true",
        help="without a token, exit with guidance instead of starting the terminal walk-through",
    )
    parser.set_defaults(handler=handle_run)


def _wants_offline_walkthrough() -> bool:
    """Ask on the terminal; Enter means yes, Ctrl+C or end of input means no."""
    try:
        answer = input("\nTry the dispute questionnaire offline now? [Y/n] ")
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return False
    return answer.strip().lower() in ("", "y", "yes")


def handle_run(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    if settings.token is None:
        print(SETUP_GUIDANCE, file=sys.stderr)
        if not args.no_offline and sys.stdin.isatty() and _wants_offline_walkthrough():
            engine_cli = importlib.import_module("bot.cli.engine")
            return int(engine_cli.try_command(argparse.Namespace(now=None)))
        return EXIT_USAGE
    from bot.runner import run_bot

    return asyncio.run(run_bot(settings))
