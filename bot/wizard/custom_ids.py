"""Custom ids of the /dispute wizard's controls: ``dd:<session>:<action>[:<argument>]``."""

from __future__ import annotations

from dataclasses import dataclass

from bot.control_ids import ControlScheme

SCHEME = ControlScheme("dd")
PATTERN = SCHEME.pattern


@dataclass(frozen=True)
class ControlId:
    session_id: int
    action: str
    argument: str = ""

    def __str__(self) -> str:
        return SCHEME.format(self.session_id, self.action, self.argument)


def parse_control_id(custom_id: str) -> ControlId | None:
    parsed = SCHEME.parse(custom_id)
    return ControlId(*parsed) if parsed else None
