"""Discord messages and forms of the server library: forms, conflicts, history, queue, import, settings."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import discord

from bot.replies.library_controls import (
    APPROVE,
    CANCEL,
    DELETE_OK,
    IMPORT_OK,
    MERGE,
    OVERWRITE,
    REJECT,
    REJECT_FORM,
    SUGGEST_MINE,
    control_id,
)
from bot.replies.model import TITLE_MAX
from bot.replies.personal import CATEGORY_MAX, NAME_MAX
from bot.replies.server_library import REASON_MAX
from bot.replies.template_transfer import ImportPlan
from bot.sandbox import MAX_SOURCE_CHARS, neutralise_mentions
from bot.storage.server_settings import ServerSettings
from bot.storage.server_templates import ServerTemplate, Suggestion, TemplateVersion, UsageCounts, VersionConflict
from bot.ui import FormField, Reply, add_fields, code_block

MESSAGE_LIMIT = 2000
MODAL_TIMEOUT = 15 * 60
YOURS_FILE = "your-version.json"
IMPORT_FILE = "import.json"


def fit(text: str, limit: int = MESSAGE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe(text: str) -> str:
    return neutralise_mentions(text)


def fenced(text: str) -> str:
    """Text safe inside a ```diff block: no mention, no fence that would close it."""
    return safe(text).replace("```", "`\u200b``")


def button(
    number: int, action: str, label: str, argument: str = "", style: discord.ButtonStyle = discord.ButtonStyle.secondary
) -> discord.ui.Button[Any]:
    """A server-library button: its custom id carries the template or suggestion and the action."""
    return discord.ui.Button(label=label, custom_id=control_id(number, action, argument), style=style)


def suggest_mine_view(template_id: int) -> discord.ui.View:
    """Under one of the member's personal templates, in a server with the bot: share it with the server."""
    view = discord.ui.View(timeout=None)
    view.add_item(button(template_id, SUGGEST_MINE, "Suggest to this server"))
    return view


def template_form(custom_id: str, title: str, typed: Mapping[str, str]) -> discord.ui.Modal:
    modal = discord.ui.Modal(title=fit(title, 45), custom_id=custom_id, timeout=MODAL_TIMEOUT)
    fields = (
        FormField("name", "Trigger name", f"Lowercase and dashes, ≤ {NAME_MAX}", "late-payment", 100, True),
        FormField("title", "Title", "What it is for, shown in the list", "Late payment reminder", TITLE_MAX, True),
        FormField("category", "Category", f"One word, ≤ {CATEGORY_MAX} (empty: server)", "payments", 100, False),
        FormField("body", "Text", "{{ buyer_name }} marks a value asked for when used", "Hi {{ buyer_name }}, …",
                  MAX_SOURCE_CHARS, True, paragraph=True),
    )  # fmt: skip
    return add_fields(modal, fields, typed)


def reason_form(suggestion_id: int) -> discord.ui.Modal:
    modal = discord.ui.Modal(
        title="Reject the suggestion", custom_id=control_id(suggestion_id, REJECT_FORM), timeout=MODAL_TIMEOUT
    )
    modal.add_item(
        discord.ui.Label(
            text="Reason",
            description="The member is told this, privately",
            component=discord.ui.TextInput(
                custom_id="reason", style=discord.TextStyle.paragraph, required=True, max_length=REASON_MAX
            ),
        )
    )
    return modal


def typed_of(stored: ServerTemplate) -> dict[str, str]:
    t = stored.template
    return {"name": t.name, "title": t.title, "category": t.category, "body": t.body}


def saved_line(saved: ServerTemplate, verb: str, sample: str = "") -> str:
    line = (
        f"{verb} server template `{saved.name}` (version {saved.version}). Every member can use it with "
        f"`/reply template:{saved.name}`."
    )
    if sample:
        line += f"\n\nWith sample values it reads:\n{code_block(fit(sample, 1200))}"
    return fit(line)


def conflict_message(
    conflict: VersionConflict, template_id: int, yours: Mapping[str, str], diff: str
) -> Reply:
    """The later of two saves: what changed meanwhile, and merge (edit again) or overwrite."""
    view = discord.ui.View(timeout=None)
    view.add_item(button(template_id, MERGE, "Merge: edit again", str(conflict.current), discord.ButtonStyle.primary))
    view.add_item(button(template_id, OVERWRITE, "Overwrite with mine", str(conflict.current)))
    body = f"{safe(str(conflict))}\n\nYour version against the current one:\n" + code_block(fit(diff or "(same)", 1400))
    data = json.dumps(dict(yours), ensure_ascii=False).encode()
    return Reply(content=fit(body), view=view, files=(discord.File(io.BytesIO(data), filename=YOURS_FILE),))


def history_message(name: str, versions: Sequence[TemplateVersion]) -> str:
    lines = [f"History of `{name}` (newest last):"]
    for v in versions[-20:]:
        lines.append(f"v{v.version} · {v.action} · by <@{v.author_id}> · {v.created_at[:16].replace('T', ' ')} UTC")
    lines.append("`/library diff` compares two versions; `/library rollback` brings one back as a new version.")
    return fit("\n".join(lines))


def diff_message(name: str, old: int, new: int, diff: str) -> str:
    if not diff:
        return f"Versions {old} and {new} of `{name}` are the same."
    return fit(f"`{name}`: version {old} → {new}\n```diff\n{fenced(diff)[:1800]}\n```")


def delete_confirmation(stored: ServerTemplate) -> Reply:
    view = discord.ui.View(timeout=None)
    view.add_item(button(stored.id, DELETE_OK, "Delete it", str(stored.version), discord.ButtonStyle.danger))
    view.add_item(button(0, CANCEL, "Keep it"))
    return Reply(
        content=f"Delete server template `{stored.name}` (version {stored.version})? Its history is kept.",
        view=view,
    )


def queue_message(pending: Sequence[Suggestion]) -> str:
    if not pending:
        return "No suggestions are waiting."
    lines = [f"{len(pending)} suggestion(s) waiting; `/library review suggestion:<number>` shows one:"]
    for s in pending:
        what = "an edit of" if s.template_id else "a new template"
        lines.append(f"#{s.id} · {what} `{s.name}` · {safe(s.title)} · from <@{s.suggester_id}>")
    return fit("\n".join(lines))


def review_message(suggestion: Suggestion, diff: str, sample: str) -> Reply:
    view = discord.ui.View(timeout=None)
    view.add_item(button(suggestion.id, APPROVE, "Approve", style=discord.ButtonStyle.success))
    view.add_item(button(suggestion.id, REJECT, "Reject with a reason", style=discord.ButtonStyle.danger))
    what = f"an edit of `{suggestion.name}`" if suggestion.template_id else f"a new template `{suggestion.name}`"
    head = f"Suggestion #{suggestion.id} from <@{suggestion.suggester_id}>: {what} — {safe(suggestion.title)}"
    shown = sample or suggestion.body  # the text itself when it no longer renders
    label = "With sample values it reads" if sample else "Its text (it does not render with sample values)"
    preview = f"\n\n{label}:\n{code_block(fit(shown, 700))}"
    change = f"\nWhat it changes:\n```diff\n{fenced(diff)[:700]}\n```"
    return Reply(content=fit(head + preview + change), view=view, allowed_mentions=discord.AllowedMentions.none())


def stats_message(usage: Sequence[UsageCounts], stale: Sequence[ServerTemplate], cap: int) -> str:
    lines = [f"Server library: {len(usage)} of {cap} templates. Uses over 7 days / 30 days / all time:"]
    for u in usage[:25]:
        lines.append(f"`{u.name}` · {u.last_7_days} / {u.last_30_days} / {u.all_time}")
    if stale:
        lines.append(f"Unused for 90 days or more ({len(stale)}): " + ", ".join(f"`{t.name}`" for t in stale[:30]))
    else:
        lines.append("No template has gone unused for 90 days.")
    return fit("\n".join(lines))


def import_message(plan: ImportPlan, data: bytes) -> Reply:
    view = discord.ui.View(timeout=None)
    argument = f"{plan.digest}-{plan.on_conflict}"
    view.add_item(button(0, IMPORT_OK, "Import", argument, discord.ButtonStyle.primary))
    view.add_item(button(0, CANCEL, "Cancel"))
    return Reply(
        content=fit(safe(plan.summary())),
        view=view,
        files=(discord.File(io.BytesIO(data), filename=IMPORT_FILE),),
    )


def settings_message(settings: ServerSettings) -> str:
    def on(flag: bool) -> str:
        return "allowed" if flag else "not allowed"

    channel = (
        f"<#{settings.feedback_channel_id}> ({settings.feedback_channel_kind} channel: each shared case "
        + ("its own post)" if settings.feedback_channel_kind == "forum" else "a thread)")
        if settings.feedback_channel_id
        else "none (a shared case is posted where it is shared)"
    )
    role = f"<@&{settings.curator_role_id}>" if settings.curator_role_id else "none (Manage Server only)"
    lines = [
        "Dispute Desk settings for this server:",
        f"• Curator role: {role}",
        f"• **Post here** on quick replies: {on(settings.allow_post_here)}",
        f"• **Share for feedback** on cases: {on(settings.allow_share)}",
        f"• Feedback channel: {channel}",
        f"• Default platform for members without a profile: {settings.default_platform or 'none'}",
        f"• Default currency for members without a profile: {settings.currency or 'none'}",
        "Change them with `/settings set`.",
    ]
    return "\n".join(lines)
