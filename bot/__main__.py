"""The command line of Dispute Desk (`.venv/bin/dispute-desk`, or `python -m bot`). `run` is the default."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

import bot
from bot.cli import COMMAND_MODULES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dispute-desk",
        description="Dispute Desk: options, deadlines, evidence and reply drafts for difficult buyers.",
    )
    parser.add_argument("--version", action="version", version=f"Dispute Desk {bot.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv) or ["run"])
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    return int(handler(args))


if __name__ == "__main__":
    sys.exit(main())
