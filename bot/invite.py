"""The OAuth2 links that install Dispute Desk, with exactly the permissions it uses."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

from bot.errors import DisputeDeskError

AUTHORIZE_URL = "https://discord.com/oauth2/authorize"

# Every interaction answer (ephemeral or public, with files) needs no channel permission; these are
# only for messages the bot posts itself when a user asks it to ("Post here", "Share for feedback").
GUILD_PERMISSIONS: dict[str, int] = {
    "View Channel": 1 << 10,
    "Send Messages": 1 << 11,
    "Embed Links": 1 << 14,
    "Attach Files": 1 << 15,
}


def permissions_value() -> int:
    value = 0
    for bit in GUILD_PERMISSIONS.values():
        value |= bit
    return value


def client_id_from_token(token: str) -> int:
    """A bot token starts with the base64 of the bot's user id, which is its application id."""
    first = token.split(".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if not decoded.isdigit():
        raise DisputeDeskError(
            "could not read the application id from DISCORD_TOKEN; pass --client-id "
            "(Developer Portal, General Information, Application ID)"
        )
    return int(decoded)


def guild_install_url(client_id: int) -> str:
    query = {
        "client_id": str(client_id),
        "scope": "bot applications.commands",
        "permissions": str(permissions_value()),
        "integration_type": "0",
    }
    return f"{AUTHORIZE_URL}?{urlencode(query)}"


def user_install_url(client_id: int) -> str:
    query = {"client_id": str(client_id), "scope": "applications.commands", "integration_type": "1"}
    return f"{AUTHORIZE_URL}?{urlencode(query)}"
