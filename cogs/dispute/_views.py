"""Discord messages of the wizard: a question screen, a form modal, the outcome, a draft."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import discord

from bot.anonymise import Anonymised
from bot.discord_limits import MESSAGE_LIMIT, fit
from bot.disputes.engine.flow import Flow, Question
from bot.disputes.engine.outcome import Draft, Outcome
from bot.disputes.wizard.custom_ids import ControlId
from bot.disputes.wizard.outcome_card import Card, outcome_cards
from bot.disputes.wizard.service import WizardState
from bot.disputes.wizard.share import SHARE_TEXT_MAX
from bot.disputes.wizard.steps import MAX_BUTTONS, SELF_ANSWERED, Screen, options_of, prefill
from bot.rendering import split_message
from bot.tones import TONES
from bot.ui import EMBED_COLOUR, ERROR_COLOUR, Reply, code_block, text_field, text_file

FOOTER = "Saved as you go: /dispute resume brings this case back. Only you can see it."
MODAL_TIMEOUT = 15 * 60


def button(control: ControlId, label: str, *, style: discord.ButtonStyle = discord.ButtonStyle.secondary,
           row: int, disabled: bool = False) -> discord.ui.Button[Any]:
    """A wizard button: its custom id carries the case and the action (DisputeCog.on_click reads it)."""
    return discord.ui.Button(label=fit(label, 80), custom_id=str(control), style=style, row=row, disabled=disabled)


def select(control: ControlId, placeholder: str, options: list[discord.SelectOption], *, row: int,
           max_values: int = 1) -> discord.ui.Select[Any]:
    return discord.ui.Select(
        custom_id=str(control), placeholder=fit(placeholder, 150), options=options[:25], row=row,
        min_values=1, max_values=min(max_values, len(options[:25])),
    )


def navigation(view: discord.ui.View, session_id: int, row: int) -> None:
    view.add_item(button(ControlId(session_id, "back"), "Back", row=row))
    view.add_item(button(ControlId(session_id, "restart"), "Start over", row=row))
    view.add_item(button(ControlId(session_id, "cancel"), "Cancel", style=discord.ButtonStyle.danger, row=row))


def question_message(state: WizardState, screen: Screen, flow: Flow, profile: Mapping[str, str]) -> Reply:
    """The wizard message for a screen: embed with progress and help, controls that fit the question."""
    answers = state.session.answers
    view = discord.ui.View(timeout=None)
    if screen.kind == "choice":
        question = screen.first
        title = question.prompt_for(answers)
        description = question.help
        options = options_of(question, answers)
        chosen = prefill(question, state.session, profile)
        if question.kind != "multi_choice" and len(options) <= MAX_BUTTONS:
            for option in options:
                style = discord.ButtonStyle.primary if option.value == chosen else discord.ButtonStyle.secondary
                control = ControlId(state.id, "answer", f"{question.id}={option.value}")
                view.add_item(button(control, option.label, style=style, row=0))
        else:
            select_options = [
                discord.SelectOption(label=fit(o.label, 100), value=o.value,
                                     description=fit(o.description, 100) or None, default=o.value == chosen)
                for o in options
            ]
            many = len(select_options) if question.kind == "multi_choice" else 1
            view.add_item(select(ControlId(state.id, "pick", question.id), "Choose…", select_options, row=0,
                                 max_values=many))
    else:
        title = f"{len(screen.questions)} detail{'s' if len(screen.questions) > 1 else ''} to fill in"
        description = "\n".join(f"• **{q.prompt_for(answers)}**: {q.help}" for q in screen.questions)
        label = "Fix and continue" if state.error else "Fill in"
        view.add_item(button(ControlId(state.id, "open", screen.first.id), label,
                             style=discord.ButtonStyle.primary, row=0))
    if state.error:
        description = f"⚠ {state.error}\n\n{description}"
        if state.typed:
            description += "\n\nWhat you typed is kept: press **Fix and continue** to correct it."
    navigation(view, state.id, row=1)
    embed = discord.Embed(
        title=fit(f"{screen.progress} · {title}", 256),
        description=fit(description, 4096),
        colour=ERROR_COLOUR if state.error else EMBED_COLOUR,
    )
    embed.set_footer(text=FOOTER)
    return Reply(content=None, embeds=(embed,), view=view)


def form_modal(state: WizardState, screen: Screen, profile: Mapping[str, str]) -> discord.ui.Modal:
    """The modal of a form screen; deterministic custom ids so a submit after a restart is understood."""
    modal = discord.ui.Modal(
        title=fit(f"{screen.progress}: your details", 45),
        custom_id=str(ControlId(state.id, "submit", screen.first.id)),
        timeout=MODAL_TIMEOUT,
    )
    for question in screen.questions:
        modal.add_item(discord.ui.Label(
            text=question.prompt_for(state.session.answers),
            description=fit(question.help, 100) or None,
            component=text_input(question, state, profile),
        ))
    return modal


def text_input(question: Question, state: WizardState, profile: Mapping[str, str]) -> discord.ui.TextInput[Any]:
    long_text = question.kind == "long_text"
    limit = min(question.max_length or (4000 if long_text else 200), 4000)
    value = state.typed.get(question.id) or prefill(question, state.session, profile)
    placeholder = fit(question.placeholder, 100)
    return text_field(
        question.id, paragraph=long_text, required=question.required, max_length=limit, default=value,
        placeholder=placeholder,
    )


def label_of(flow: Flow, question_id: str, value: Any) -> str:
    question = flow.question(question_id)
    option = question.option(str(value)) if question else None
    return option.label if option else str(value)


def outcome_message(
    state: WizardState, outcome: Outcome, flow: Flow, *, can_share: bool, can_remind: bool = False
) -> Reply:
    answers = state.session.answers
    tone = str(answers.get("tone") or "neutral")
    platform = label_of(flow, "platform", answers["platform"])
    heading = f"{platform} · {label_of(flow, 'dispute_type', answers['dispute_type'])}"
    embeds = [card_embed(card) for card in outcome_cards(outcome, heading, tone)]
    embeds[-1].set_footer(text=FOOTER)
    view = discord.ui.View(timeout=None)
    draft_options = [
        discord.SelectOption(label=fit(d.title, 100), value=d.id, description=fit(f"To the {d.audience}", 100))
        for d in outcome.drafts
    ]
    if draft_options:
        view.add_item(select(ControlId(state.id, "draft"), "Open a draft, ready to copy…", draft_options, row=0))
    for name in TONES:
        view.add_item(button(ControlId(state.id, "tone", name), f"Tone: {name}", row=1, disabled=name == tone,
                             style=discord.ButtonStyle.primary if name == tone else discord.ButtonStyle.secondary))
    edit_options = []
    for question_id, value in answers.items():
        question = flow.question(question_id)
        if question is None or value is None or question_id in SELF_ANSWERED:
            continue
        shown = "yes" if value is True else "no" if value is False else label_of(flow, question_id, value)
        edit_options.append(discord.SelectOption(label=fit(question.prompt, 100), value=question_id,
                                                 description=fit(shown, 100)))
    if edit_options:
        view.add_item(select(ControlId(state.id, "edit"), "Edit an answer…", edit_options, row=2))
    if can_share:
        view.add_item(button(ControlId(state.id, "share"), "Share for feedback", row=3))
    if can_remind:
        view.add_item(button(ControlId(state.id, "remind"), "Remind me", row=3))
    view.add_item(button(ControlId(state.id, "restart"), "Start over", row=3))
    view.add_item(button(ControlId(state.id, "cancel"), "Close case", style=discord.ButtonStyle.danger, row=3))
    return Reply(content=None, embeds=tuple(embeds), view=view)


def card_embed(card: Card) -> discord.Embed:
    embed = discord.Embed(title=card.title, description=card.description, colour=EMBED_COLOUR)
    for name, value in card.fields:
        embed.add_field(name=name, value=value, inline=False)
    return embed


def draft_reply(draft: Draft) -> Reply:
    """The draft as copy-ready code blocks (split within 2,000 chars, the rest as followups) and a .txt file."""
    header = f"**{draft.title}** · to the {draft.audience} · {draft.tone} tone"
    notes = "".join(f"\n-# {note}" for note in draft.notes)
    overhead = len(header) + len(notes) + len("```\n\n```") + 2
    chunks = split_message(draft.text, MESSAGE_LIMIT - overhead)
    messages = [f"{header}\n{code_block(chunk)}" if i == 0 else code_block(chunk) for i, chunk in enumerate(chunks)]
    messages[-1] += notes
    attachment = text_file(draft.text + "\n", f"{draft.id}-{draft.tone}.txt")
    return Reply(content=messages[0], files=(attachment,), followups=tuple(messages[1:]))


def share_preview(report: Anonymised, session_id: int) -> Reply:
    """What would be posted, what was removed and what was not: posting needs a click on it."""
    view = discord.ui.View(timeout=None)
    view.add_item(button(ControlId(session_id, "share_ok"), "Post it in this channel",
                         style=discord.ButtonStyle.success, row=0))
    view.add_item(button(ControlId(session_id, "share_edit"), "Edit it first", row=0))
    view.add_item(button(ControlId(session_id, "share_no"), "Don't post", row=0))
    intro = f"This is what would be posted. {report.summary()}\n>>> "
    return Reply(content=intro + fit(report.text, MESSAGE_LIMIT - len(intro)), view=view)


def share_edit_modal(session_id: int, text: str) -> discord.ui.Modal:
    """Edit the text to share; it is checked again and shown before anything is posted."""
    modal = discord.ui.Modal(
        title="Edit what is shared", custom_id=str(ControlId(session_id, "share_text")), timeout=MODAL_TIMEOUT
    )
    modal.add_item(discord.ui.Label(
        text="The text to post",
        description="Remove anything that could identify the buyer, you or the order.",
        component=discord.ui.TextInput(
            custom_id="text", style=discord.TextStyle.paragraph, max_length=SHARE_TEXT_MAX,
            default=text[:SHARE_TEXT_MAX] or None,
        ),
    ))
    return modal
