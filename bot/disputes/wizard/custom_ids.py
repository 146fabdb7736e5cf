"""Custom ids of the /dispute wizard's controls: ``dd:<session>:<action>[:<argument>]``."""

from __future__ import annotations

from dataclasses import dataclass

from bot.control_ids import Control, ControlScheme

SCHEME = ControlScheme("dd")
PATTERN = SCHEME.pattern


@dataclass(frozen=True)
class ControlId(Control):
    scheme = SCHEME

    @property
    def session_id(self) -> int:
        return self.id


def parse_control_id(custom_id: str) -> ControlId | None:
    return ControlId.parse(custom_id)
