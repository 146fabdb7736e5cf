"""Deadline reminders, as plain values: when to remind, and what the reminder says.

Pure functions, no I/O, ``now`` always a parameter. Times the seller types are read in the same
lenient forms as the wizard's (:func:`bot.disputes.engine.parsing.parse_datetime`: "tomorrow 9:00",
"in 3 hours", "2026-11-29 08:00"), plus "2 h before" (before the deadline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.discord_limits import MESSAGE_LIMIT
from bot.disputes.engine.parsing import parse_datetime
from bot.errors import DisputeDeskError
from bot.storage.database import from_timestamp, to_timestamp

KIND = "reminder"
PRESETS = {"6h": timedelta(hours=6), "1h": timedelta(hours=1)}
PRESET_LABELS = {"6h": "6 h before", "1h": "1 h before"}
# A reminder later than this after its time says it is late (the bot was down when it fell due).
LATE_AFTER = timedelta(minutes=2)
MAX_PENDING_PER_USER = 20
_BEFORE = re.compile(r"^(?P<n>\d+(?:[.,]\d+)?)\s*(?P<unit>m|min|mins|minutes?|h|hrs?|hours?|d|days?)\s+before$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}


class ReminderError(DisputeDeskError):
    """A reminder that cannot be set as asked; the message says why in one line."""


@dataclass(frozen=True)
class ReminderNote:
    """What a reminder needs at its time, stored with the job (the case may change or go meanwhile)."""

    session_id: int
    deadline: str
    deadline_due: datetime
    heading: str
    todo: str

    def to_payload(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "deadline": self.deadline,
            "deadline_due": to_timestamp(self.deadline_due),
            "heading": self.heading,
            "todo": self.todo,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ReminderNote:
        return cls(
            session_id=int(payload["session_id"]),
            deadline=str(payload["deadline"]),
            deadline_due=from_timestamp(str(payload["deadline_due"])),
            heading=str(payload.get("heading", "")),
            todo=str(payload.get("todo", "")),
        )


def remind_time(deadline_due: datetime, choice: str, now: datetime) -> datetime:
    """When to remind for a deadline: a preset ("6h", "1h") or a typed time; ReminderError if unusable."""
    if now >= deadline_due:
        raise ReminderError("That deadline has passed already; there is nothing to remind you of.")
    preset = PRESETS.get(choice)
    if preset is not None:
        at = deadline_due - preset
        if at <= now:
            raise ReminderError(
                f"The deadline is less than {PRESET_LABELS[choice]} away: pick a shorter time or type one."
            )
        return at
    at = _typed_time(choice, deadline_due, now)
    if at <= now:
        raise ReminderError("That time has passed already: type a time before the deadline, like 'in 2 hours'.")
    if at >= deadline_due:
        raise ReminderError("That is not before the deadline: type an earlier time, like '2 h before'.")
    return at


def _typed_time(text: str, deadline_due: datetime, now: datetime) -> datetime:
    raw = " ".join(text.strip().lower().split())
    match = _BEFORE.match(raw)
    if match:
        unit = match["unit"][0]
        return deadline_due - timedelta(seconds=float(match["n"].replace(",", ".")) * _UNIT_SECONDS[unit])
    try:
        return parse_datetime(raw, now=now)
    except ValueError as exc:
        raise ReminderError(f"{exc}; or write '2 h before'.") from None


def discord_time(moment: datetime, style: str = "f") -> str:
    return f"<t:{int(moment.timestamp())}:{style}>"


def reminder_text(note: ReminderNote, due_at: datetime, now: datetime) -> str | None:
    """The private message sent at the reminder's time; None when its deadline has passed (drop it)."""
    if now >= note.deadline_due:
        return None
    lines = [
        f"⏰ **{note.deadline}** is due {discord_time(note.deadline_due, 'R')} "
        f"({discord_time(note.deadline_due)}).",
        f"{note.heading} · case #{note.session_id}",
    ]
    if note.todo:
        lines.append(f"What to do: {note.todo}")
    if now - due_at > LATE_AFTER:
        lines.append(f"-# This was due at {discord_time(due_at)}; Dispute Desk was offline then.")
    return "\n".join(lines)[:MESSAGE_LIMIT]


def confirmation_text(note: ReminderNote, at: datetime) -> str:
    """The private message sent when a reminder is set: it also proves the bot can reach the user."""
    return (
        f"I'll remind you here {discord_time(at, 'R')} ({discord_time(at)}) about **{note.deadline}** "
        f"({note.heading}, case #{note.session_id}). Cancel it from `/dispute cases`."
    )[:MESSAGE_LIMIT]
