"""`sync` (force a command sync) and `invite` (print the install links)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, settings_or_exit
from bot.errors import DisputeDeskError
from bot.invite import GUILD_PERMISSIONS, client_id_from_token, guild_install_url, user_install_url


def register(subparsers: Any) -> None:
    sync = subparsers.add_parser("sync", help="push the slash commands to Discord now")
    sync.add_argument("--guild", type=int, metavar="ID", help="sync to this server only (instant)")
    sync.set_defaults(handler=handle_sync)
    invite = subparsers.add_parser("invite", help="print the links that install the bot")
    invite.add_argument(
        "--client-id", type=_application_id, help="the application id (default: read from the token)"
    )
    invite.set_defaults(handler=handle_invite)


def _application_id(text: str) -> int:
    if not (text.isascii() and text.isdigit() and 15 <= len(text) <= 21):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an application id (15-21 digits: Developer Portal, your app, General Information)"
        )
    return int(text)


def handle_sync(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    if settings.token is None:
        print("error: DISCORD_TOKEN is not set; `dispute-desk sync` talks to Discord", file=sys.stderr)
        return EXIT_USAGE
    from bot.runner import sync_only

    try:
        count = asyncio.run(sync_only(settings, guild_id=args.guild))
    except DisputeDeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    where = f"server {args.guild}" if args.guild else "all servers (global; may take up to an hour to show)"
    print(f"synced {count} commands to {where}")
    return EXIT_OK


def handle_invite(args: argparse.Namespace) -> int:
    client_id = args.client_id
    if client_id is None:
        settings = settings_or_exit()
        if settings.token is None:
            print("error: pass --client-id, or set DISCORD_TOKEN so it can be read from it", file=sys.stderr)
            return EXIT_USAGE
        try:
            client_id = client_id_from_token(settings.token.reveal())
        except DisputeDeskError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    print("Add Dispute Desk to a server (you need Manage Server there):")
    print(f"  {guild_install_url(client_id)}")
    print(f"  permissions: {', '.join(GUILD_PERMISSIONS)}")
    print("Install it for yourself, to use it in any server or DM:")
    print(f"  {user_install_url(client_id)}")
    print(
        "  (first enable it: Developer Portal > your app > Installation > Installation Contexts > "
        "User Install, and add the applications.commands scope to its default install settings)"
    )
    return EXIT_OK
