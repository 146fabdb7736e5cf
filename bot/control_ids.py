"""Custom ids of persistent controls: ``<prefix>:<id>:<action>[:<argument>]``, at most 100 chars.

They carry everything a click needs, so a click on a message sent before a restart still works.
Each feature has its own prefix (and so its own DynamicItem pattern).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
        """The DynamicItem template: groups ``id``, ``action`` and ``argument``."""
        return rf"{self.prefix}:(?P<id>\d+):(?P<action>[a-z_]+)(?::(?P<argument>[{self.argument_chars}]*))?"

    def format(self, number: int, action: str, argument: str = "") -> str:
        text = f"{self.prefix}:{number}:{action}" + (f":{argument}" if argument else "")
        if len(text) > MAX_CUSTOM_ID or not self._compiled.fullmatch(text):
            raise ValueError(f"invalid custom id {text!r}")
        return text

    def parse(self, custom_id: str) -> tuple[int, str, str] | None:
        match = self._compiled.fullmatch(custom_id)
        if match is None:
            return None
        return int(match["id"]), match["action"], match["argument"] or ""
