"""Lay out an outcome for people: plain text for the terminal, Markdown for a saved file."""

from __future__ import annotations

from bot.disputes.engine.context import hours_text
from bot.disputes.engine.outcome import Deadline, Outcome

AUDIENCE_NAMES = {
    "buyer": "to the buyer",
    "support": "to support",
    "public": "public",
    "processor": "to the payment processor",
    "mediator": "to the mediator",
}


def _deadline_line(deadline: Deadline) -> str:
    left = hours_text(deadline.hours_left) + ("" if deadline.passed else " left")
    due = deadline.due.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{deadline.label}: {due} ({left}) — {deadline.source}, as of {deadline.as_of}, "
        f"confidence {deadline.confidence}"
    )


def format_markdown(outcome: Outcome) -> str:
    lines = [f"# Dispute Desk: {outcome.case}", "", outcome.summary, ""]
    if outcome.deadlines:
        lines += ["## Deadlines", ""] + [f"- {_deadline_line(d)}" for d in outcome.deadlines] + [""]
    lines += ["## Options", ""]
    for option in outcome.options:
        mark = " **(recommended for your goal)**" if option.recommended else ""
        lines.append(f"### {option.title}{mark}")
        lines += [f"- For: {pro}" for pro in option.pros] + [f"- Against: {con}" for con in option.cons] + [""]
    lines += ["## Evidence to gather", ""] + [f"- [ ] {item}" for item in outcome.evidence] + [""]
    lines += ["## Drafts", ""]
    for draft in outcome.drafts:
        lines += [
            f"### {draft.title} ({AUDIENCE_NAMES[draft.audience]}, {draft.tone})",
            "",
            "```text",
            draft.text,
            "```",
            "",
        ]
        lines += [f"> {note}" for note in draft.notes] + ([""] if draft.notes else [])
    lines += ["## Caveats", ""] + [f"- {item}" for item in outcome.caveats] + [""]
    if outcome.warnings:
        lines += ["## Wording warnings", ""] + [f"- {item}" for item in outcome.warnings] + [""]
    return "\n".join(lines).rstrip() + "\n"


def format_text(outcome: Outcome) -> str:
    rule = "-" * 72
    lines = [f"DISPUTE DESK — {outcome.case}", rule, outcome.summary, ""]
    if outcome.deadlines:
        lines += ["DEADLINES"] + [f"  * {_deadline_line(d)}" for d in outcome.deadlines] + [""]
    lines.append("OPTIONS")
    for option in outcome.options:
        lines.append(
            f"  {'>>' if option.recommended else '  '} {option.title}"
            + ("  [recommended for your goal]" if option.recommended else "")
        )
        lines += [f"       + {pro}" for pro in option.pros] + [f"       - {con}" for con in option.cons]
    lines += ["", "EVIDENCE CHECKLIST"] + [f"  [ ] {item}" for item in outcome.evidence] + [""]
    for draft in outcome.drafts:
        lines += [
            rule,
            f"DRAFT: {draft.title} ({AUDIENCE_NAMES[draft.audience]}, {draft.tone})",
            rule,
            draft.text,
            "",
        ]
        lines += [f"  note: {note}" for note in draft.notes] + ([""] if draft.notes else [])
    lines += [rule, "CAVEATS"] + [f"  * {item}" for item in outcome.caveats]
    if outcome.warnings:
        lines += ["", "WORDING WARNINGS"] + [f"  ! {item}" for item in outcome.warnings]
    return "\n".join(lines) + "\n"
