"""Discord messages and forms of quick replies: fill pages, the copy-ready result, authoring."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import discord

from bot.discord_limits import EMBED_FIELD_VALUE_LIMIT, MESSAGE_LIMIT, fit
from bot.replies import TemplateVariable
from bot.replies.custom_ids import (
    AUTHOR_FIX,
    AUTHOR_SAVE,
    AUTHOR_SUBMIT,
    DELETE,
    FILL_SUBMIT,
    KEEP,
    OPEN_PAGE,
    PICK_DISPUTE,
    PICK_TEMPLATE,
    POST,
    ReplyControl,
)
from bot.replies.model import TITLE_MAX
from bot.replies.personal import CATEGORY_MAX, DEFAULT_CATEGORY, NAME_MAX, AuthorProblem
from bot.replies.service import AuthorCheck, FillStep, Suggestions
from bot.sandbox import MAX_SOURCE_CHARS, neutralise_mentions
from bot.storage.reply_templates import StoredTemplate
from bot.ui import EMBED_COLOUR, FormField, Reply, add_fields, code_block, text_field, text_file

MODAL_TIMEOUT = 15 * 60
_TEXT_LIMIT = 1000
_HINTS = {
    "money": "An amount, e.g. 150, $1,500 or 99.50 EUR",
    "date": "A date, e.g. 2026-03-14, 14 March 2026 or tomorrow",
    "link": "A full address starting with https://",
    "number": "A number, e.g. 3 or 2.5",
}
_LONG_TEXT = ("message", "details", "summary", "notes", "items", "scope", "deliverables", "reason", "timeline")


def button(
    control: ReplyControl, label: str, *, style: discord.ButtonStyle = discord.ButtonStyle.secondary, row: int = 0
) -> discord.ui.Button[Any]:
    """A quick-reply button: its custom id carries the draft (or template) and the action."""
    return discord.ui.Button(label=fit(label, 80, at_boundary=False), custom_id=str(control), style=style, row=row)


def select(
    control: ReplyControl, placeholder: str, options: list[discord.SelectOption], *, row: int
) -> discord.ui.Select[Any]:
    return discord.ui.Select(
        custom_id=str(control), placeholder=fit(placeholder, 150, at_boundary=False), options=options[:25], row=row
    )


# -- filling a reply -------------------------------------------------------------------------------
def fill_modal(step: FillStep) -> discord.ui.Modal:
    """One page of up to five fields; deterministic custom id so a submit after a restart is understood."""
    title = step.template.title if step.pages <= 1 else f"{step.page + 1}/{step.pages} · {step.template.title}"
    modal = discord.ui.Modal(
        title=fit(title, 45, at_boundary=False),
        custom_id=str(ReplyControl(step.draft_id, FILL_SUBMIT, str(step.page))),
        timeout=MODAL_TIMEOUT,
    )
    for variable in step.fields:
        modal.add_item(
            discord.ui.Label(
                text=fit(variable.label, 45, at_boundary=False),
                description=fit(variable.description or _HINTS.get(variable.type, ""), 100, at_boundary=False) or None,
                component=_input(variable, step.typed.get(variable.name, "")),
            )
        )
    return modal


def _input(variable: TemplateVariable, typed: str) -> discord.ui.TextInput[Any]:
    long_text = variable.type == "text" and variable.name.endswith(_LONG_TEXT)
    limit = _TEXT_LIMIT if variable.type == "text" else 200
    placeholder = fit(variable.example, 100, at_boundary=False)
    return text_field(
        variable.name,
        paragraph=long_text,
        required=variable.required,
        max_length=limit,
        default=typed,
        placeholder=placeholder,
    )


def page_message(step: FillStep, *, advanced: bool) -> Reply:
    """Between form pages (a modal cannot open a modal), or after a refused value: one button."""
    where = f"page {step.page + 1} of {step.pages}"
    lines = [f"**{step.template.title}**"]
    if step.error:
        lines.append(f"⚠ Please fix this and continue ({where}); what you typed is kept:\n{step.error}")
        label = f"Fix and continue ({where})"
    elif advanced:
        lines.append(f"Saved. A few more details are needed ({where}).")
        label = f"Continue ({where})"
    else:
        lines.append(f"A few details are needed ({where}).")
        label = f"Fill in ({where})"
    view = discord.ui.View(timeout=None)
    view.add_item(button(ReplyControl(step.draft_id, OPEN_PAGE), label, style=discord.ButtonStyle.primary))
    return Reply(content=fit("\n".join(lines), MESSAGE_LIMIT, at_boundary=False), embeds=(), view=view)


def result_message(step: FillStep) -> Reply:
    """The finished reply: copy-ready (code block and .txt) and a button that posts it when clicked."""
    assert step.text is not None
    header = f"**{step.template.title}** · {step.tone} tone · only you can see this; copy it or post it here"
    if step.warnings:
        header += "\n" + warning_lines(step.warnings)
    block = code_block(step.text)
    view = discord.ui.View(timeout=None)
    view.add_item(button(ReplyControl(step.draft_id, POST), "Post here", style=discord.ButtonStyle.success))
    attachment = text_file(step.text + "\n", f"{step.template.name}-{step.tone}.txt")
    if len(header) + 1 + len(block) <= MESSAGE_LIMIT:
        return Reply(content=f"{header}\n{block}", embeds=(), view=view, files=(attachment,))
    embed = discord.Embed(description=fit(block, 4096, at_boundary=False), colour=EMBED_COLOUR)
    return Reply(content=header, embeds=(embed,), view=view, files=(attachment,))


def warning_lines(warnings: Sequence[str], limit: int = 5) -> str:
    """The wording check's findings, shown above the text they are about."""
    shown = [f"⚠ {neutralise_mentions(w)}" for w in warnings[:limit]]
    if len(warnings) > limit:
        shown.append(f"⚠ …and {len(warnings) - limit} more")
    return fit("**Check before sending:**\n" + "\n".join(shown), 900, at_boundary=False)


def post_text(text: str) -> str:
    """What "Post here" sends: the reply itself, mentions broken (the bot also allows none)."""
    return fit(neutralise_mentions(text), MESSAGE_LIMIT, at_boundary=False)


# -- "Draft a reply…" ------------------------------------------------------------------------------
def suggestions_message(suggestions: Suggestions, buyer_words: str) -> Reply:
    quoted = fit(" ".join(neutralise_mentions(buyer_words).split()), 300, at_boundary=False)
    lines = [f"For this message:\n> {quoted}"]
    view = discord.ui.View(timeout=None)
    if suggestions.templates:
        options = [
            discord.SelectOption(
                label=fit(("★ " if personal else "") + title, 100, at_boundary=False),
                value=str(template_id),
                description=fit(name, 100, at_boundary=False),
            )
            for template_id, title, name, personal in suggestions.templates
        ]
        view.add_item(select(ReplyControl(suggestions.draft_id, PICK_TEMPLATE), "Draft a reply with…", options, row=0))
        lines.append("Pick a reply to fill in; the buyer's words are used where the reply quotes them.")
    if suggestions.disputes:
        options = [
            discord.SelectOption(label=fit(label, 100, at_boundary=False), value=type_id)
            for type_id, label in suggestions.disputes
        ]
        view.add_item(
            select(ReplyControl(suggestions.draft_id, PICK_DISPUTE), "…or work it out as a case", options, row=1)
        )
        lines.append("Or open a `/dispute` case of the matching type, with the buyer's words.")
    if not suggestions.templates and not suggestions.disputes:
        lines.append("No reply matched these words. Search all replies with `/reply` (type in `template`).")
        return Reply(content=fit("\n".join(lines), MESSAGE_LIMIT, at_boundary=False))
    return Reply(content=fit("\n".join(lines), MESSAGE_LIMIT, at_boundary=False), view=view)


# -- personal templates ----------------------------------------------------------------------------
def author_modal(draft_id: int, typed: Mapping[str, str], *, editing: bool) -> discord.ui.Modal:
    modal = discord.ui.Modal(
        title="Edit your template" if editing else "New personal template",
        custom_id=str(ReplyControl(draft_id, AUTHOR_SUBMIT)),
        timeout=MODAL_TIMEOUT,
    )
    fields = (
        FormField("name", "Trigger name", f"Lowercase and dashes, ≤ {NAME_MAX}: used in /reply", "late-invoice", 100,
                  True),
        FormField("title", "Title", "What it is for, shown in the list", "Invoice overdue: a friendly nudge",
                  TITLE_MAX, True),
        FormField("category", "Category", f"One word, ≤ {CATEGORY_MAX} (empty: {DEFAULT_CATEGORY})", "payments",
                  100, False),
        FormField("body", "Text", "{{ buyer_name }} marks a value asked for when used", "Hi {{ buyer_name }}, …",
                  MAX_SOURCE_CHARS, True, paragraph=True),
    )  # fmt: skip
    return add_fields(modal, fields, typed)


def _problem_lines(problems: Sequence[AuthorProblem]) -> str:
    return "\n".join(f"• {neutralise_mentions(str(p))}" for p in problems[:15]) + (
        f"\n• …and {len(problems) - 15} more" if len(problems) > 15 else ""
    )


def author_result_message(check: AuthorCheck) -> Reply:
    view = discord.ui.View(timeout=None)
    if not check.ok:
        content = (
            "**Not saved** — fix this first (what you typed is kept):\n"
            f"{_problem_lines(check.problems)}\n\nPress **Fix** to reopen the form."
        )
        view.add_item(button(ReplyControl(check.draft_id, AUTHOR_FIX), "Fix", style=discord.ButtonStyle.primary))
        return Reply(content=fit(content, MESSAGE_LIMIT, at_boundary=False), embeds=(), view=view)
    assert check.preview is not None
    variables = ", ".join(f"`{v.name}` ({v.type})" for v in check.variables) or "none"
    embed = discord.Embed(
        title=fit(f"Preview of {check.name}, with sample values", 256, at_boundary=False),
        description=fit(code_block(check.preview), 4096, at_boundary=False),
        colour=EMBED_COLOUR,
    )
    asked = fit(variables, EMBED_FIELD_VALUE_LIMIT, at_boundary=False)
    embed.add_field(name="Asked for or filled from /profile", value=asked, inline=False)
    view.add_item(button(ReplyControl(check.draft_id, AUTHOR_SAVE), "Save", style=discord.ButtonStyle.success))
    view.add_item(button(ReplyControl(check.draft_id, AUTHOR_FIX), "Edit again"))
    verb = "Save your changes" if check.editing else "Save it"
    content = f"{verb}, or edit it again. Nothing is saved yet."
    if check.warnings:
        content += "\n" + warning_lines(check.warnings)
    return Reply(content=content, embeds=(embed,), view=view)


def show_template(stored: StoredTemplate, warnings: Sequence[str] = ()) -> Reply:
    variables = ", ".join(f"`{v.get('name')}` ({v.get('type', 'text')})" for v in stored.variables) or "none"
    block = code_block(stored.body)
    embed = discord.Embed(title=fit(f"★ {stored.title}", 256, at_boundary=False), colour=EMBED_COLOUR)
    embed.add_field(name="Trigger", value=f"`/reply template:{stored.name}`", inline=True)
    embed.add_field(name="Category", value=fit(stored.category, 1024, at_boundary=False), inline=True)
    embed.add_field(name="Values", value=fit(variables, 1024, at_boundary=False), inline=False)
    reply = Reply(content=warning_lines(warnings)) if warnings else Reply()
    if len(block) <= 4096 - 100:
        embed.description = block
        return reply.but(embeds=(embed,))
    embed.description = "The text is in the attached file."
    return reply.but(embeds=(embed,), files=(text_file(stored.body, f"{stored.name}.j2"),))


def list_templates(owned: Sequence[StoredTemplate], limit: int) -> Reply:
    if not owned:
        return Reply(
            content="You have no personal templates yet. Write one with `/templates mine create`; "
            "it follows you to every server and DM."
        )
    lines = [f"`{t.name}` — {t.title} ({t.category})" for t in owned]
    description = "\n".join(lines)
    embed = discord.Embed(title=f"Your templates ({len(owned)} of {limit})", colour=EMBED_COLOUR)
    embed.set_footer(text="Use one with /reply template:<name>. Only you see these.")
    if len(description) <= 4096:
        embed.description = description
        return Reply(embeds=(embed,))
    embed.description = fit(description, 4000, at_boundary=False) + "\nThe full list is in the attached file."
    return Reply(embeds=(embed,), files=(text_file(description + "\n", "my-templates.txt"),))


def delete_confirmation(stored: StoredTemplate) -> Reply:
    view = discord.ui.View(timeout=None)
    view.add_item(button(ReplyControl(stored.id, DELETE), "Delete it", style=discord.ButtonStyle.danger))
    view.add_item(button(ReplyControl(stored.id, KEEP), "Keep it"))
    return Reply(
        content=f"Delete your template `{stored.name}` ({fit(stored.title, 100, at_boundary=False)})? "
        "This can't be undone.",
        view=view,
    )
