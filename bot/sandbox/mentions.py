"""Make sure rendered text can never ping anyone or resolve a mention.

The bot also sends ``allowed_mentions=none``; this is defence in depth for text that is copied,
posted by a webhook, or sent by a future code path that forgets the flag.
"""

from __future__ import annotations

import re

ZERO_WIDTH_SPACE = "\u200b"

# @everyone / @here ping without angle brackets.
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
# <@123> user, <@!123> nickname, <@&123> role, <#123> channel, </name:123> slash command,
# <id:browse> and the other server-navigation links.
_ENTITY_MENTION = re.compile(r"<(@[!&]?|#|/|id:)")
# Bidirectional overrides, isolates and marks (LRM, RLM, ALM) can make a reply read differently
# from what it says.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# C0 controls other than tab and newline, and DEL: nothing legitimate in a chat message.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def neutralise_mentions(text: str) -> str:
    """Return ``text`` with every mention broken by a zero-width space and control characters removed."""
    text = _CONTROL_CHARS.sub("", text.replace("\r\n", "\n"))
    text = _BIDI_CONTROLS.sub("", text)
    text = _MASS_MENTION.sub(lambda m: "@" + ZERO_WIDTH_SPACE + m.group(1), text)
    return _ENTITY_MENTION.sub(lambda m: "<" + ZERO_WIDTH_SPACE + m.group(1), text)
