"""Invite links, uptime and help formatting: small pure parts."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

import pytest

from bot.errors import DisputeDeskError
from bot.help_text import chunk_lines, format_uptime
from bot.invite import client_id_from_token, guild_install_url, permissions_value, user_install_url


def test_client_id_is_read_from_token() -> None:
    encoded = base64.urlsafe_b64encode(b"123456789012345678").decode().rstrip("=")
    assert client_id_from_token(f"{encoded}.GabcDE.secretpart") == 123456789012345678
    with pytest.raises(DisputeDeskError, match="--client-id"):
        client_id_from_token("not-a-token")


def test_install_urls_carry_scopes_and_permissions() -> None:
    guild = parse_qs(urlparse(guild_install_url(42)).query)
    assert guild["client_id"] == ["42"]
    assert guild["scope"] == ["bot applications.commands"]
    assert guild["permissions"] == [str(permissions_value())]
    assert permissions_value() == 1024 | 2048 | 16384 | 32768
    user = parse_qs(urlparse(user_install_url(42)).query)
    assert user["integration_type"] == ["1"] and user["scope"] == ["applications.commands"]


@pytest.mark.parametrize(
    ("seconds", "text"), [(5, "5 s"), (125, "2 min 5 s"), (7260, "2 h 1 min"), (90061, "1 d 1 h")]
)
def test_format_uptime(seconds: int, text: str) -> None:
    assert format_uptime(seconds) == text


def test_chunk_lines_respects_limit_and_order() -> None:
    lines = [f"line {i} " + "x" * 30 for i in range(100)]
    chunks = chunk_lines(lines, 200)
    assert all(len(chunk) <= 200 for chunk in chunks)
    assert "\n".join(chunks).split("\n") == lines
