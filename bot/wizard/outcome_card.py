"""The outcome laid out for a chat message: plain strings sized to Discord's embed limits.

Deadlines become Discord timestamps (``<t:UNIX:R>``) so they count down in the reader's own
time zone; the text stays free of discord.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.outcome import Deadline, Outcome

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
MAX_FIELDS = 25
EMBEDS_TOTAL_LIMIT = 6000


@dataclass(frozen=True)
class Card:
    title: str
    description: str
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def size(self) -> int:
        return len(self.title) + len(self.description) + sum(len(n) + len(v) for n, v in self.fields)


def fit(text: str, limit: int) -> str:
    """Cut at a line or word boundary with an ellipsis when longer than ``limit``."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    for boundary in ("\n", " "):
        index = cut.rfind(boundary)
        if index > limit // 2:
            cut = cut[:index]
            break
    return cut.rstrip() + "…"


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
        option_fields.append((fit(name, FIELD_NAME_LIMIT), fit(value, FIELD_VALUE_LIMIT)))
    first = Card(fit(heading, TITLE_LIMIT), fit(description, DESCRIPTION_LIMIT), tuple(option_fields[:MAX_FIELDS]))

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
    second = Card("Your next steps", fit(details, min(DESCRIPTION_LIMIT, max(room, 200))))
    return [first, second]
