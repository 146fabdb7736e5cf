"""Custom ids of persistent controls: ``<prefix>:<id>:<action>[:<argument>]``, at most 100 chars.

They carry everything a click needs, so a click on a message sent before a restart still works.
Each feature has its own prefix, which routes its clicks and forms to it (``DisputeBot.on_interaction``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar, Self

MAX_CUSTOM_ID = 100


@dataclass(frozen=True)
class ControlScheme:
    prefix: str
    argument_chars: str = r"\w.:=\-"
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", re.compile(self.pattern))

    @property
    def pattern(self) -> str:
        """The whole custom id: groups ``id``, ``action`` and ``argument``."""
        return rf"{self.prefix}:(?P<id>[0-9]+):(?P<action>[a-z_]+)(?::(?P<argument>[{self.argument_chars}]*))?"

    def format(self, number: int, action: str, argument: str = "") -> str:
        text = f"{self.prefix}:{number}:{action}" + (f":{argument}" if argument else "")
        if len(text) > MAX_CUSTOM_ID or not self._compiled.fullmatch(text):
            raise ValueError(f"invalid custom id {text!r}")
        return text

    def clicked(self, custom_id: str) -> tuple[int, str, str] | None:
        """The parts of a clicked control's custom id; a forged id too large for a row names row 0
        (which never exists), so the click is answered as for a case that is gone. None: not this scheme's."""
        match = self._compiled.fullmatch(custom_id)
        if match is None:
            return None
        return clicked_row_id(match["id"]), match["action"], match["argument"] or ""

    def parse(self, custom_id: str) -> tuple[int, str, str] | None:
        match = self._compiled.fullmatch(custom_id)
        row_id = parse_row_id(match["id"]) if match is not None else None
        if match is None or row_id is None:
            return None
        return row_id, match["action"], match["argument"] or ""


@dataclass(frozen=True)
class Control:
    """A control's custom id, parsed and checked by its feature's scheme: ``<prefix>:<id>:<action>[:<argument>]``.

    Any client can forge a custom id, so this is the one place its parts are read: the id is a
    row id within SQLite's range (``parse_row_id``), the action lowercase letters and ``_``, the
    argument the scheme's characters, the whole at most 100 characters; anything else is None.
    """

    scheme: ClassVar[ControlScheme]
    id: int
    action: str
    argument: str = ""

    def __str__(self) -> str:
        return self.scheme.format(self.id, self.action, self.argument)

    @classmethod
    def parse(cls, custom_id: str) -> Self | None:
        parsed = cls.scheme.parse(custom_id)
        return cls(*parsed) if parsed else None

    @classmethod
    def clicked(cls, custom_id: str) -> Self | None:
        """The control a click names (see ``ControlScheme.clicked``), or None when the id is not of this scheme."""
        parts = cls.scheme.clicked(custom_id)
        return cls(*parts) if parts else None


MAX_ROW_ID = 2**63 - 1
"""SQLite's largest integer: a larger id cannot name a row (and overflows the driver)."""


def parse_row_id(text: str) -> int | None:
    """A database id typed or sent by a user: 1 to 19 ASCII digits within SQLite's range, else None.

    ``str.isdigit`` and ``int`` accept other scripts' digits and superscripts; ids never use them.
    """
    if not 1 <= len(text) <= 19 or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value <= MAX_ROW_ID else None


def clicked_row_id(text: str) -> int:
    """The id in a clicked custom id; 0 (which never names a row) when it is not a valid id.

    A forged id then takes the ordinary "that no longer exists" path and gets a clean answer.
    """
    return parse_row_id(text) or 0
