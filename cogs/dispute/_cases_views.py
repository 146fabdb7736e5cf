"""Discord messages of /dispute cases and of reminders: the list, one case, the reminder picker, the DM."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.discord_limits import MESSAGE_LIMIT, fit
from bot.disputes.cases.reminders import PRESET_LABELS, PRESETS, discord_time
from bot.disputes.cases.service import RESULTS, CasePage, CaseSummary
from bot.disputes.cases.stats import MIN_GROUP, ServerOutcomes
from bot.disputes.engine.outcome import Deadline
from bot.disputes.wizard.custom_ids import ControlId
from bot.ui import EMBED_COLOUR, Reply
from cogs.dispute._views import MODAL_TIMEOUT, button, select

# The list of cases is the user's own: its controls carry no case id (0 never names a row).
LIST = 0
MAX_DEADLINE_ROWS = 4
DMS_CLOSED = (
    "I can't send you direct messages, so no reminder was set: allow direct messages from this server's "
    "members (or add Dispute Desk to your apps), then try again."
)


def reminder_picker(session_id: int, deadlines: list[tuple[int, Deadline]], now: datetime) -> Reply:
    """Which deadline, and when before it: 6 h, 1 h, or a typed time."""
    view = discord.ui.View(timeout=None)
    lines = []
    for row, (index, deadline) in enumerate(deadlines[:MAX_DEADLINE_ROWS]):
        number = row + 1
        due = f"{discord_time(deadline.due, 'R')} ({discord_time(deadline.due)})"
        lines.append(f"{number}. **{deadline.label}**: due {due}")
        for choice, offset in PRESETS.items():
            view.add_item(button(
                ControlId(session_id, "remind_set", f"{index}={choice}"), f"{number} · {PRESET_LABELS[choice]}",
                row=row, disabled=deadline.due - offset <= now,
            ))  # fmt: skip
        view.add_item(button(ControlId(session_id, "remind_typed", str(index)), f"{number} · Another time…", row=row))
    content = "When should I remind you, by direct message?\n" + "\n".join(lines)
    return Reply(content=fit(content, MESSAGE_LIMIT), embeds=(), view=view)


def reminder_modal(session_id: int, index: int) -> discord.ui.Modal:
    modal = discord.ui.Modal(
        title="When should I remind you?",
        custom_id=str(ControlId(session_id, "remind_modal", str(index))),
        timeout=MODAL_TIMEOUT,
    )
    modal.add_item(discord.ui.Label(
        text="Time (UTC) or how long before the deadline",
        description="For example: 2 h before, tomorrow 9:00, in 3 hours, 2026-11-29 08:00",
        component=discord.ui.TextInput(custom_id="when", max_length=60, placeholder="2 h before"),
    ))  # fmt: skip
    return modal


def reminder_dm(session_id: int, text: str) -> Reply:
    """The reminder itself, with a button back to the case."""
    view = discord.ui.View(timeout=None)
    view.add_item(button(ControlId(session_id, "show"), "Open the case", style=discord.ButtonStyle.primary, row=0))
    return Reply(content=text, view=view)


def result_prompt_dm(session_id: int, text: str) -> Reply:
    """The "how did it end?" question: results in one click, and a way to stop these questions."""
    view = discord.ui.View(timeout=None)
    options = [discord.SelectOption(label=label, value=value) for value, label in RESULTS.items()]
    view.add_item(select(ControlId(session_id, "result"), "How did it end?", options, row=0))
    view.add_item(button(ControlId(LIST, "no_prompts"), "Don't ask me again", row=1))
    return Reply(content=text, view=view)


def _case_line(case: CaseSummary) -> str:
    parts = [f"**#{case.id}** {case.platform} · {case.dispute_type}", case.amount]
    if case.next_deadline is not None:
        parts.append(f"next deadline {discord_time(case.next_deadline.due, 'R')}")
    parts.append(case.result_label)
    return " · ".join(parts)


def cases_message(cases: list[CaseSummary], note: str | None = None) -> Reply:
    """The user's open and finished cases, and a select to open one."""
    open_cases = [c for c in cases if c.open]
    finished = [c for c in cases if not c.open]
    description = ""
    if open_cases:
        description += "**Open**\n" + "\n".join(_case_line(c) for c in open_cases)
    if finished:
        description += ("\n\n" if description else "") + "**Finished**\n" + "\n".join(_case_line(c) for c in finished)
    embed = discord.Embed(title="Your cases", description=fit(description, 4096), colour=EMBED_COLOUR)
    embed.set_footer(text="Only you can see this. Pick a case to see its outcome, reminders and result.")
    view = discord.ui.View(timeout=None)
    options = [
        discord.SelectOption(label=fit(f"#{c.id} {c.platform} · {c.dispute_type}", 100), value=str(c.id),
                             description=fit(c.result_label, 100))
        for c in cases[:25]
    ]  # fmt: skip
    if options:
        view.add_item(select(ControlId(LIST, "case"), "Open a case…", options, row=0))
    return Reply(content=note, embeds=(embed,), view=view)


def case_message(page: CasePage, note: str | None = None) -> Reply:
    """One case: its summary, its reminders (cancel one), its result (record one)."""
    case, reminders = page.case, page.reminders
    lines = [f"{case.amount} · {case.result_label}"]
    if case.next_deadline is not None:
        deadline = case.next_deadline
        due = f"{discord_time(deadline.due, 'R')} ({discord_time(deadline.due)})"
        lines.append(f"Next deadline: **{deadline.label}** {due}")
    if reminders:
        lines.append("\n**Reminders**")
        lines += [f"⏰ {discord_time(r.at)} ({discord_time(r.at, 'R')}), before **{r.note.deadline}**"
                  for r in reminders]  # fmt: skip
    embed = discord.Embed(
        title=fit(f"#{case.id} · {case.platform} · {case.dispute_type}", 256),
        description=fit("\n".join(lines), 4096),
        colour=EMBED_COLOUR,
    )
    view = discord.ui.View(timeout=None)
    view.add_item(button(ControlId(case.id, "show"), "See the outcome again", style=discord.ButtonStyle.primary, row=0))
    if case.open and case.next_deadline is not None:
        view.add_item(button(ControlId(case.id, "remind"), "Remind me", row=0))
    view.add_item(button(ControlId(case.id, "duplicate"), "Start a new case from this one", row=0))
    view.add_item(button(ControlId(LIST, "cases"), "Back to my cases", row=0))
    if reminders:
        options = [
            discord.SelectOption(label=fit(f"{r.at:%d %b %H:%M} UTC · {r.note.deadline}", 100), value=str(r.job_id))
            for r in reminders[:25]
        ]
        view.add_item(select(ControlId(case.id, "unremind"), "Cancel a reminder…", options, row=1))
    results = [
        discord.SelectOption(label=label, value=value, default=value == case.result) for value, label in RESULTS.items()
    ]
    view.add_item(select(ControlId(case.id, "result"), "Close with a result…", results, row=2))
    return Reply(content=note, embeds=(embed,), view=view)


def refund_modal(session_id: int) -> discord.ui.Modal:
    modal = discord.ui.Modal(
        title="Partial refund", custom_id=str(ControlId(session_id, "result_amount")), timeout=MODAL_TIMEOUT
    )
    modal.add_item(discord.ui.Label(
        text="How much did you refund?",
        description="For example 200, $200 or 200 EUR.",
        component=discord.ui.TextInput(custom_id="amount", max_length=40, placeholder="200"),
    ))  # fmt: skip
    return modal


def stats_message(outcomes: ServerOutcomes) -> Reply:
    """How cases ended in this server, by type and platform: counts and shares, small groups hidden."""
    embed = discord.Embed(title="How cases ended in this server", colour=EMBED_COLOUR)
    for group in outcomes.groups[:25]:
        lines = [
            f"{RESULTS.get(result, result)}: {count} ({group.share(count):.0%})" for result, count in group.results
        ]
        embed.add_field(
            name=fit(f"{group.dispute_type} · {group.platform} ({group.total} cases)", 256),
            value=fit("\n".join(lines), 1024),
            inline=False,
        )
    hidden = f" ({outcomes.hidden_cases} cases are in such groups)" if outcomes.hidden_cases else ""
    embed.description = (
        "Cases members started here and closed with a result. "
        f"Groups of fewer than {MIN_GROUP} cases are not shown, so no one can be identified{hidden}."
    )
    if outcomes.empty:
        embed.description += "\n\nNo group has enough cases yet."
    return Reply(embeds=(embed,))
