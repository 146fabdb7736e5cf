"""The outcome laid out for a chat message: plain strings sized to Discord's embed limits.

Deadlines become Discord timestamps (``<t:UNIX:R>``) so they count down in the reader's own
time zone; the text stays free of discord.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.discord_limits import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_FIELDS,
    EMBED_TITLE_LIMIT,
    EMBEDS_TOTAL_LIMIT,
    fit,
)
from bot.disputes.engine.outcome import Deadline, Outcome


@dataclass(frozen=True)
class Card:
    title: str
    description: str
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def size(self) -> int:
        return len(self.title) + len(self.description) + sum(len(n) + len(v) for n, v in self.fields)


def discord_time(deadline: Deadline) -> str:
    unix = int(deadline.due.timestamp())
    return f"<t:{unix}:R> (<t:{unix}:f>)"


def deadline_line(deadline: Deadline) -> str:
    verb = "passed" if deadline.passed else "due"
    return (
        f"• **{deadline.label}**: {verb} {discord_time(deadline)}\n"
        f"  -# {deadline.source}, as of {deadline.as_of}; check the current terms"
    )


def outcome_cards(outcome: Outcome, heading: str, tone: str) -> list[Card]:
    """Two cards: the situation with deadlines and options; then evidence, caveats and warnings."""
    description = outcome.summary
    if outcome.deadlines:
        description += "\n\n**Deadlines**\n" + "\n".join(deadline_line(d) for d in outcome.deadlines)
    option_fields = []
    for option in outcome.options:
        name = ("✅ " if option.recommended else "") + option.title
        if option.recommended:
            name += " (recommended for your goal)"
        value = "\n".join([*(f"+ {p}" for p in option.pros), *(f"− {c}" for c in option.cons)]) or "—"
        option_fields.append((fit(name, EMBED_FIELD_NAME_LIMIT), fit(value, EMBED_FIELD_VALUE_LIMIT)))
    first = Card(
        fit(heading, EMBED_TITLE_LIMIT), fit(description, EMBED_DESCRIPTION_LIMIT), tuple(option_fields[:EMBED_FIELDS])
    )

    details = "**Evidence to gather**\n" + "\n".join(f"☐ {item}" for item in outcome.evidence)
    if outcome.warnings:
        details += "\n\n**Wording warnings**\n" + "\n".join(f"⚠ {w}" for w in outcome.warnings)
    if outcome.caveats:
        details += "\n\n**Before you rely on this**\n" + "\n".join(f"• {c}" for c in outcome.caveats)
    details += (
        f"\n\nDrafts are in a **{tone}** tone. Pick one below to get it ready to copy. "
        "They are suggestions to edit, not legal advice; Dispute Desk never writes to your buyer."
    )
    room = EMBEDS_TOTAL_LIMIT - first.size - len("Your next steps")
    second = Card("Your next steps", fit(details, min(EMBED_DESCRIPTION_LIMIT, max(room, 200))))
    return [first, second]
