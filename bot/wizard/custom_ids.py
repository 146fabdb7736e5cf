"""Custom ids of the wizard's controls: ``dd:<session>:<action>[:<argument>]``, at most 100 chars.

They carry everything a click needs, so a click on a message sent before a restart still works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "dd"
MAX_CUSTOM_ID = 100
PATTERN = rf"{PREFIX}:(?P<session>\d+):(?P<action>[a-z_]+)(?::(?P<argument>[\w.:=\-]*))?"
_COMPILED = re.compile(PATTERN)


@dataclass(frozen=True)
class ControlId:
    session_id: int
    action: str
    argument: str = ""

    def __str__(self) -> str:
        text = f"{PREFIX}:{self.session_id}:{self.action}"
        if self.argument:
            text += f":{self.argument}"
        if len(text) > MAX_CUSTOM_ID or not _COMPILED.fullmatch(text):
            raise ValueError(f"invalid custom id {text!r}")
        return text


def parse_control_id(custom_id: str) -> ControlId | None:
    match = _COMPILED.fullmatch(custom_id)
    if match is None:
        return None
    return ControlId(int(match["session"]), match["action"], match["argument"] or "")
