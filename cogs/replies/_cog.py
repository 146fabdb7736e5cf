"""/reply, "Draft a reply…" and /templates mine, and the handlers of their controls and forms."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.control_ids import clicked_row_id
from bot.errors import DisputeDeskError
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
from bot.replies.personal import MAX_PERSONAL_TEMPLATES
from bot.replies.platforms import load_platforms
from bot.replies.service import FillStep
from bot.tones import TONE_LABELS
from bot.ui import (
    ActionDispatch,
    Handler,
    Interaction,
    Reply,
    answer_in_time,
    form_values,
    open_form,
    updates_a_message,
)
from cogs.library._settings import allowed
from cogs.library._views import suggest_mine_view
from cogs.replies._views import (
    author_modal,
    author_result_message,
    delete_confirmation,
    fill_modal,
    list_templates,
    page_message,
    post_text,
    result_message,
    show_template,
    suggestions_message,
)

if TYPE_CHECKING:
    from bot.client import DisputeBot

log = logging.getLogger(__name__)
TONE_CHOICES = [app_commands.Choice(name=label, value=tone) for tone, label in TONE_LABELS.items()]
PLATFORM_CHOICES = [
    app_commands.Choice(name=(label := load_platforms().label(key))[:1].upper() + label[1:100], value=key)
    for key in load_platforms().keys
]


class RepliesCog(ActionDispatch, commands.Cog, name="Replies"):
    kept = "Your reply is saved"
    templates = app_commands.Group(name="templates", description="Quick-reply templates")
    mine = app_commands.Group(
        name="mine", description="Your personal templates: they follow you to every server and DM", parent=templates
    )

    def __init__(self, bot: DisputeBot) -> None:
        self.bot = bot
        services = bot.services
        self.catalog, self.filling, self.suggestions = services.catalog, services.filling, services.suggestions
        self.authoring, self.reply_drafts = services.authoring, services.reply_drafts
        self.draft_menu = app_commands.ContextMenu(name="Draft a reply…", callback=self.draft_a_reply)
        # Every control and form of quick replies: the action of its custom id -> its one handler.
        self.actions: dict[str, Handler] = {
            OPEN_PAGE: self.on_open_page,
            POST: self.on_post,
            PICK_TEMPLATE: self.on_pick_template,
            PICK_DISPUTE: self.on_pick_dispute,
            AUTHOR_FIX: self.on_author_fix,
            AUTHOR_SAVE: self.on_author_save,
            DELETE: self.on_delete,
            KEEP: self.on_keep,
            FILL_SUBMIT: self.on_fill_submit,
            AUTHOR_SUBMIT: self.on_author_submit,
        }

    async def cog_load(self) -> None:
        await self.catalog.sync_builtins()
        self.bot.control_handlers[ReplyControl.scheme.prefix] = self.on_click
        self.bot.form_handlers[ReplyControl.scheme.prefix] = self.on_form
        self.bot.tree.add_command(self.draft_menu)
        self.purge_old_drafts.start()

    async def cog_unload(self) -> None:
        self.bot.control_handlers.pop(ReplyControl.scheme.prefix, None)
        self.bot.form_handlers.pop(ReplyControl.scheme.prefix, None)
        self.bot.tree.remove_command(self.draft_menu.name, type=self.draft_menu.type)
        self.purge_old_drafts.cancel()

    @tasks.loop(hours=1)
    async def purge_old_drafts(self) -> None:
        removed = await self.reply_drafts.purge(self.bot.now())
        if removed:
            log.info("purged %d old quick-reply drafts", removed)

    # -- /reply --------------------------------------------------------------------------------
    @app_commands.command(name="reply")
    @app_commands.describe(
        template="Start typing: a title, a trigger name or words of the text",
        tone="How it should sound (your /profile tone when empty)",
        platform="Where you send it (your /profile platform when empty); only replies that fit are offered",
        buyer_name="The buyer's or client's first name",
        order_id="Order or contract number",
        invoice_number="Invoice number",
        amount="Amount due or order amount, e.g. $300",
        due_date="Due date, e.g. 2026-11-20",
    )
    @app_commands.choices(tone=TONE_CHOICES, platform=PLATFORM_CHOICES)
    @app_commands.checks.cooldown(10, 60.0, key=lambda interaction: interaction.user.id)
    async def reply(
        self,
        interaction: Interaction,
        template: str,
        tone: str | None = None,
        platform: str | None = None,
        buyer_name: str | None = None,
        order_id: str | None = None,
        invoice_number: str | None = None,
        amount: str | None = None,
        due_date: str | None = None,
    ) -> None:
        """Fill in a quick reply, ready to copy; anything unknown is asked in a form."""
        stored = await self.catalog.find(interaction.user.id, interaction.guild_id, template)
        options = {
            "platform": platform,
            "buyer_name": buyer_name,
            "client_name": buyer_name,
            "order_id": order_id,
            "invoice_number": invoice_number,
            "amount": amount,
            "order_amount": amount,
            "due_date": due_date,
        }
        step = await self.filling.start(
            interaction.user.id, interaction.guild_id, stored, tone=tone, options=options, now=self.bot.now()
        )
        await self.answer_step(interaction, step, advanced=False, can_open_form=True)

    @reply.autocomplete("template")
    async def reply_autocomplete(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        try:
            chosen = getattr(interaction.namespace, "platform", None)
            found = await self.catalog.autocomplete(
                interaction.user.id, interaction.guild_id, current, self.bot.now(), platform=chosen
            )
        except Exception:  # autocomplete must answer quickly and never error
            log.exception("reply autocomplete failed for %r", current)
            return []
        return [app_commands.Choice(name=name, value=value) for name, value in found[:25]]

    async def answer_step(
        self, interaction: Interaction, step: FillStep, *, advanced: bool, can_open_form: bool
    ) -> None:
        """Show a step: the result, the form (when this interaction may open one) or a page button."""
        if step.pending is not None:
            # Rendering waits for a sandbox worker: acknowledge in time, then show the result.
            update = updates_a_message(interaction)
            await answer_in_time(interaction, self.finished(interaction, step), update=update)
        elif step.ready:
            await result_message(step).answer(interaction)
        elif can_open_form and not step.error and not advanced:
            await open_form(interaction, fill_modal(step))
        else:
            await page_message(step, advanced=advanced).answer(interaction)

    async def finished(self, interaction: Interaction, step: FillStep) -> Reply:
        done = await self.filling.finish(step, interaction.user.id, self.bot.now())
        return result_message(done)

    async def checked(self, interaction: Interaction, draft_id: int, submitted: dict[str, str]) -> Reply:
        check = await self.authoring.check_authoring(draft_id, interaction.user.id, submitted, self.bot.now())
        return author_result_message(check)

    # -- "Draft a reply…" ----------------------------------------------------------------------
    async def draft_a_reply(self, interaction: Interaction, message: discord.Message) -> None:
        """Suggest quick replies and a case type for a buyer's message."""
        words = message.content.strip()
        if not words:
            raise DisputeDeskError("That message has no text I can read (only attachments or embeds).")
        suggestions = await self.suggestions.suggest_for_message(
            interaction.user.id, words, self.bot.now(), guild_id=interaction.guild_id
        )
        await suggestions_message(suggestions, words).send(interaction)

    # -- /templates mine -----------------------------------------------------------------------
    @mine.command(name="create")
    @app_commands.checks.cooldown(5, 60.0, key=lambda interaction: interaction.user.id)
    async def create(self, interaction: Interaction) -> None:
        """Write a personal quick reply: checked and previewed before it is saved."""
        draft_id = await self.authoring.begin_create(interaction.user.id, self.bot.now())
        await open_form(interaction, author_modal(draft_id, {}, editing=False))

    @mine.command(name="edit")
    @app_commands.describe(template="One of your templates")
    async def edit(self, interaction: Interaction, template: str) -> None:
        """Change one of your personal templates."""
        draft_id, typed = await self.authoring.begin_edit(interaction.user.id, template, self.bot.now())
        await open_form(interaction, author_modal(draft_id, typed, editing=True))

    @mine.command(name="show")
    @app_commands.describe(template="One of your templates")
    async def show_one(self, interaction: Interaction, template: str) -> None:
        """Show one of your personal templates as written."""
        stored = await self.authoring.own(interaction.user.id, template)
        warnings = await self.authoring.text_warnings(interaction.user.id, stored.body)
        shown = show_template(stored, warnings)
        if interaction.guild_id is not None and interaction.is_guild_integration():  # the bot is in this server
            shown = shown.but(view=suggest_mine_view(stored.id))
        await shown.send(interaction)

    @mine.command(name="list")
    async def list_all(self, interaction: Interaction) -> None:
        """List your personal templates."""
        owned = await self.authoring.list_own(interaction.user.id)
        await list_templates(owned, MAX_PERSONAL_TEMPLATES).send(interaction)

    @mine.command(name="delete")
    @app_commands.describe(template="One of your templates")
    async def delete(self, interaction: Interaction, template: str) -> None:
        """Delete one of your personal templates (you confirm first)."""
        stored = await self.authoring.own(interaction.user.id, template)
        await delete_confirmation(stored).send(interaction)

    @edit.autocomplete("template")
    @show_one.autocomplete("template")
    @delete.autocomplete("template")
    async def own_autocomplete(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        try:
            found = await self.catalog.own_choices(interaction.user.id, current)
        except Exception:
            log.exception("personal template autocomplete failed")
            return []
        return [app_commands.Choice(name=name, value=value) for name, value in found]

    # -- controls ------------------------------------------------------------------------------
    # -- one handler per action ----------------------------------------------------------------
    async def on_open_page(self, interaction: Interaction, control: ReplyControl, values: list[str]) -> None:
        step = await self.filling.current(control.id, interaction.user.id)
        if step.ready:
            await result_message(step).answer(interaction)
        else:
            await open_form(interaction, fill_modal(step))

    async def on_post(self, interaction: Interaction, control: ReplyControl, values: list[str]) -> None:
        if interaction.is_guild_integration() and not await allowed(self.bot, interaction.guild_id, "post_here"):
            raise DisputeDeskError("This server's moderators turned **Post here** off: copy the text instead.")
        text = await self.filling.claim_post(control.id, interaction.user.id, self.bot.now())
        try:
            post = Reply(post_text(text), allowed_mentions=discord.AllowedMentions.none(), ephemeral=False)
            await post.send(interaction)
        except discord.HTTPException:
            await self.filling.release_post(control.id, self.bot.now())
            raise

    async def on_pick_template(self, interaction: Interaction, control: ReplyControl, values: list[str]) -> None:
        picked = clicked_row_id(values[0])
        step = await self.suggestions.pick_template(
            control.id, interaction.user.id, interaction.guild_id, picked, self.bot.now()
        )
        await self.answer_step(interaction, step, advanced=False, can_open_form=True)

    async def on_pick_dispute(self, interaction: Interaction, control: ReplyControl, values: list[str]) -> None:
        case = await self.suggestions.open_case(control.id, interaction.user.id, values[0], self.bot.now())
        await Reply(content=case_message(case), view=None).edit(interaction)

    async def on_author_fix(self, interaction: Interaction, control: ReplyControl, values: list[str]) -> None:
        typed, editing = await self.authoring.typed_in(control.id, interaction.user.id)
        await open_form(interaction, author_modal(control.id, typed, editing=editing))

    async def on_author_save(self, interaction: Interaction, control: ReplyControl, values: list[str]) -> None:
        saved = await self.authoring.save_authoring(control.id, interaction.user.id, self.bot.now())
        saved_line = f"Saved ★ `{saved.name}`. Use it anywhere with `/reply template:{saved.name}`."
        await Reply(content=saved_line, embeds=(), view=None).edit(interaction)

    async def on_delete(self, interaction: Interaction, control: ReplyControl, values: list[str]) -> None:
        gone = await self.authoring.delete_own(interaction.user.id, control.id)
        await Reply(content=f"Deleted `{gone.name}`.", view=None).edit(interaction)

    async def on_keep(self, interaction: Interaction, control: ReplyControl, values: list[str]) -> None:
        await Reply(content="Kept. Nothing was deleted.", view=None).edit(interaction)

    async def on_fill_submit(self, interaction: Interaction, control: ReplyControl, values: list[str]) -> None:
        page = clicked_row_id(control.argument or "0")
        submitted = form_values(interaction)
        step = await self.filling.submit(control.id, interaction.user.id, page, submitted, self.bot.now())
        await self.answer_step(interaction, step, advanced=step.page > page, can_open_form=False)

    async def on_author_submit(self, interaction: Interaction, control: ReplyControl, values: list[str]) -> None:
        # Lint (in a process) and a sandboxed preview: acknowledge in time, then answer.
        update = updates_a_message(interaction)
        checked = self.checked(interaction, control.id, form_values(interaction))
        await answer_in_time(interaction, checked, update=update)

    # -- forms ---------------------------------------------------------------------------------
    async def on_click(self, interaction: Interaction) -> None:
        """Every quick-reply button and select comes here (DisputeBot.on_interaction), also after a restart."""
        await self.handle_click(interaction, ReplyControl)

    async def on_form(self, interaction: Interaction) -> None:
        """Every quick-reply form comes here (DisputeBot.on_interaction), also one opened before a restart."""
        await self.handle_form(interaction, ReplyControl, (FILL_SUBMIT, AUTHOR_SUBMIT))


def case_message(case: Any) -> str:
    kept = " and the buyer's words" if case.buyer_message_recorded else ""
    if case.type_recorded:
        opening = f"Case #{case.session_id} is open with its type{kept} already answered."
    else:
        opening = f"Case #{case.session_id} is open; answer the first question, then pick the type."
    return f"{opening}\nContinue with `/dispute resume case:{case.session_id}` — only you can see it."
