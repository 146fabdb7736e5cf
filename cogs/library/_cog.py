"""/library (curators), /suggest (every member) and their controls and forms.

Thin: interactions become plain values for ``bot.replies.server_library`` and
``bot.replies.template_transfer``; answers are built in ``_views``. /library is hidden from
members by default (Manage Server) and every use is checked again at run time.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import DisputeDeskError
from bot.replies.library_controls import (
    ADD_FORM,
    APPROVE,
    CANCEL,
    DELETE_OK,
    EDIT_FORM,
    FORMS,
    IMPORT_OK,
    MERGE,
    OVERWRITE,
    REJECT,
    REJECT_FORM,
    SCHEME,
    SUGGEST_FORM,
    SUGGEST_MINE,
    control_id,
)
from bot.replies.server_library import MAX_SERVER_TEMPLATES, Outcome, diff_text
from bot.replies.template_transfer import MAX_FILE_BYTES, apply_import, export_library, plan_import
from bot.storage.reply_templates import ReplyTemplateRepository
from bot.storage.server_templates import VersionConflict
from bot.ui import ActionDispatch, accepting_clicks, custom_id_of, form_values, open_form, send_private
from cogs.library._views import (
    IMPORT_FILE,
    YOURS_FILE,
    conflict_message,
    delete_confirmation,
    diff_message,
    history_message,
    import_message,
    queue_message,
    reason_form,
    review_message,
    saved_line,
    stats_message,
    template_form,
    typed_of,
)

if TYPE_CHECKING:
    from bot.client import DisputeBot

log = logging.getLogger(__name__)
Interaction = discord.Interaction["DisputeBot"]
NOT_INSTALLED = (
    "The server library works only in a server where Dispute Desk itself is installed (here it runs as your "
    "own app). Ask the server's moderators to add it, or use your personal templates: `/templates mine`."
)
OUTCOME_WAIT_S = 5.0


def installed_guild(interaction: Interaction) -> int:
    """The server's id where the bot itself is installed; else a clear refusal."""
    if interaction.guild_id is None or not interaction.is_guild_integration():
        raise DisputeDeskError(NOT_INSTALLED)
    return interaction.guild_id


def member_facts(interaction: Interaction) -> tuple[bool, list[int]]:
    """(has Manage Server, role ids) of the member using the interaction."""
    roles = [role.id for role in getattr(interaction.user, "roles", [])]
    return bool(interaction.permissions.manage_guild), roles


class LibraryCog(commands.Cog, name="Library"):
    library_group = app_commands.Group(
        name="library",
        description="This server's template library: curate, review suggestions, history, import and export",
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: DisputeBot) -> None:
        self.bot = bot
        self.library = bot.services.server_library
        self.personal = ReplyTemplateRepository(bot.db)

    async def cog_load(self) -> None:
        self.bot.control_handlers[SCHEME.prefix] = self.on_click
        self.bot.form_handlers[SCHEME.prefix] = self.on_form
        self.bot.command_watchers.append(self.tell_outcomes)

    async def cog_unload(self) -> None:
        self.bot.control_handlers.pop(SCHEME.prefix, None)
        self.bot.form_handlers.pop(SCHEME.prefix, None)
        self.bot.command_watchers.remove(self.tell_outcomes)

    async def curator_guild(self, interaction: Interaction) -> int:
        """The server, when the bot is installed there and the member curates it; else refused privately."""
        guild_id = installed_guild(interaction)
        manage, roles = member_facts(interaction)
        await self.library.require_curator(guild_id, manage_guild=manage, role_ids=roles)
        return guild_id

    def now(self) -> datetime:
        return self.bot.now()

    # -- /library ------------------------------------------------------------------------------
    @library_group.command(name="add")
    async def add(self, interaction: Interaction) -> None:
        """Add a template to this server's library (checked before it is saved)."""
        await self.curator_guild(interaction)
        await open_form(interaction, template_form(control_id(0, ADD_FORM), "New server template", {}))

    @library_group.command(name="edit")
    @app_commands.describe(template="A template of this server's library")
    async def edit(self, interaction: Interaction, template: str) -> None:
        """Change a server template; a save made meanwhile by another curator is never overwritten silently."""
        guild_id = await self.curator_guild(interaction)
        stored = await self.library.get(guild_id, template)
        form = template_form(control_id(stored.id, EDIT_FORM, str(stored.version)), "Edit server template",
                             typed_of(stored))  # fmt: skip
        await open_form(interaction, form)

    @library_group.command(name="delete")
    @app_commands.describe(template="A template of this server's library")
    async def delete(self, interaction: Interaction, template: str) -> None:
        """Delete a server template (you confirm first; its history is kept)."""
        guild_id = await self.curator_guild(interaction)
        stored = await self.library.get(guild_id, template)
        await delete_confirmation(stored).send(interaction)

    @library_group.command(name="history")
    @app_commands.describe(template="A template of this server's library")
    async def history(self, interaction: Interaction, template: str) -> None:
        """Every version of a server template, with its author and time."""
        guild_id = await self.curator_guild(interaction)
        stored = await self.library.get(guild_id, template)
        versions = await self.library.history(guild_id, stored.id)
        await self.private(interaction, history_message(stored.name, versions))

    @library_group.command(name="diff")
    @app_commands.describe(template="A template of this server's library", old="A version", new="A later version")
    async def diff(
        self,
        interaction: Interaction,
        template: str,
        old: app_commands.Range[int, 1, 100_000],
        new: app_commands.Range[int, 1, 100_000],
    ) -> None:
        """What changed between two versions of a server template."""
        guild_id = await self.curator_guild(interaction)
        stored = await self.library.get(guild_id, template)
        await self.private(
            interaction, diff_message(stored.name, old, new, await self.library.diff(guild_id, stored.id, old, new))
        )

    @library_group.command(name="rollback")
    @app_commands.describe(template="A template of this server's library", version="The version to bring back")
    async def rollback(
        self, interaction: Interaction, template: str, version: app_commands.Range[int, 1, 100_000]
    ) -> None:
        """Bring back an earlier version of a server template (as a new version)."""
        guild_id = await self.curator_guild(interaction)
        stored = await self.library.get(guild_id, template)
        saved = await self.library.rollback(
            guild_id, interaction.user.id, stored.id, version, base_version=stored.version, now=self.now()
        )
        sample = await self.library.sample(saved, self.now().date())
        await self.private(interaction, saved_line(saved, f"Rolled back to version {version}:", sample))

    @library_group.command(name="queue")
    async def queue(self, interaction: Interaction) -> None:
        """Suggestions from members waiting for a curator."""
        guild_id = await self.curator_guild(interaction)
        await self.private(interaction, queue_message(await self.library.queue(guild_id)))

    @library_group.command(name="review")
    @app_commands.describe(suggestion="The suggestion's number, from /library queue")
    async def review(self, interaction: Interaction, suggestion: app_commands.Range[int, 1, 1_000_000_000]) -> None:
        """One suggestion: a preview and what it changes, to approve or reject with a reason."""
        guild_id = await self.curator_guild(interaction)
        found, diff = await self.library.suggestion_diff(guild_id, suggestion)
        if found.status != "pending":
            raise DisputeDeskError(f"Suggestion #{found.id} was already {found.status}.")
        sample = await self.library.suggestion_sample(found, self.now().date())
        await review_message(found, diff, sample).send(interaction)

    @library_group.command(name="stats")
    async def stats(self, interaction: Interaction) -> None:
        """Uses of each server template over 7 days, 30 days and all time, and the stale ones."""
        guild_id = await self.curator_guild(interaction)
        usage = await self.library.usage(guild_id, self.now())
        stale = await self.library.stale(guild_id, self.now())
        await self.private(interaction, stats_message(usage, stale, MAX_SERVER_TEMPLATES))

    @library_group.command(name="export")
    @app_commands.describe(category="Only this category (empty: the whole library)")
    async def export(self, interaction: Interaction, category: str | None = None) -> None:
        """This server's library as a JSON file, attached privately."""
        guild_id = await self.curator_guild(interaction)
        data = await export_library(self.bot.db, "guild", guild_id, self.now(), category=category)
        count = len(json.loads(data)["templates"])
        file = discord.File(io.BytesIO(data), filename="server-library.json")
        await interaction.response.send_message(
            f"{count} templates exported. Import the file in another server with `/library import`.",
            ephemeral=True,
            file=file,
        )

    @library_group.command(name="import")
    @app_commands.describe(
        file="A file from /library export or /templates export",
        replace="On a conflict, take the file's text (default: the library keeps its own)",
    )
    async def import_(self, interaction: Interaction, file: discord.Attachment, replace: bool = False) -> None:
        """Import templates from a JSON file: a dry run first, nothing is written until you confirm."""
        guild_id = await self.curator_guild(interaction)
        if file.size > MAX_FILE_BYTES:
            raise DisputeDeskError(
                f"Nothing was imported: the file is {file.size:,} bytes; at most {MAX_FILE_BYTES:,}."
            )
        data = await file.read()
        plan = await plan_import(
            self.bot.db, "guild", guild_id, data, self.library.shared,
            on_conflict="replace" if replace else "keep", checker=self.library.checker,
            renderer=self.library.renderer,
        )  # fmt: skip
        await import_message(plan, data).send(interaction)

    @edit.autocomplete("template")
    @delete.autocomplete("template")
    @history.autocomplete("template")
    @diff.autocomplete("template")
    @rollback.autocomplete("template")
    async def server_template_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.server_choices(interaction, current)

    async def server_choices(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        try:
            needle = current.strip().lower()
            found = await self.library.templates.list_all(interaction.guild_id)
        except Exception:
            log.exception("server template autocomplete failed")
            return []
        return [
            app_commands.Choice(name=f"{t.template.title} · {t.name}"[:100], value=str(t.id))
            for t in found
            if needle in t.name or needle in t.template.title.lower()
        ][:25]

    # -- /suggest ------------------------------------------------------------------------------
    @app_commands.command(name="suggest")
    @app_commands.describe(
        edits="A server template you suggest a change to (empty: a new template)",
        mine="One of your personal templates to suggest as it is (you can change it in the form)",
    )
    async def suggest(self, interaction: Interaction, edits: str | None = None, mine: str | None = None) -> None:
        """Suggest a template for this server's library, or a change to one; curators decide."""
        await self.open_suggestion(interaction, edits, mine)

    async def open_suggestion(self, interaction: Interaction, edits: str | None, mine: str | None) -> None:
        """The suggestion form, filled with the server template it edits and/or a personal template."""
        guild_id = installed_guild(interaction)
        typed: dict[str, str] = {}
        target = 0
        if edits:
            stored = await self.library.get(guild_id, edits)
            typed, target = typed_of(stored), stored.id
        if mine:
            own = await self.bot_replies_own(interaction.user.id, mine)
            typed = {**typed, "title": own.title, "category": own.category, "body": own.body}
            typed.setdefault("name", own.name)
        title = "Suggest a change" if target else "Suggest a server template"
        await open_form(interaction, template_form(control_id(target, SUGGEST_FORM), title, typed))

    async def bot_replies_own(self, user_id: int, given: str) -> Any:
        given = given.strip()
        stored = await self.personal.get(int(given)) if given.isdigit() else None
        if stored is None:
            stored = await self.personal.find_by_name("user", user_id, given.lower())
        if stored is None or stored.scope != "user" or stored.owner_id != user_id:
            raise DisputeDeskError(f"You have no personal template `{given[:50]}`. `/templates mine list` shows yours.")
        return stored

    @suggest.autocomplete("edits")
    async def suggest_edits_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.server_choices(interaction, current)

    @suggest.autocomplete("mine")
    async def suggest_mine_autocomplete(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        try:
            owned = await self.personal.list_owned("user", interaction.user.id)
        except Exception:
            log.exception("personal template autocomplete failed")
            return []
        needle = current.strip().lower()
        return [
            app_commands.Choice(name=f"★ {t.title} · {t.name}"[:100], value=str(t.id))
            for t in owned
            if needle in t.name or needle in t.title.lower()
        ][:25]

    # -- controls ------------------------------------------------------------------------------
    async def on_click(self, interaction: Interaction) -> None:
        """Every server-library button comes here (DisputeBot.on_interaction), also one sent before a restart."""
        clicked = SCHEME.clicked(custom_id_of(interaction))
        if clicked is None:
            await send_private(interaction, ActionDispatch.outdated)
        elif await accepting_clicks(interaction, "Nothing was changed"):
            await self.handle_control(interaction, *clicked)

    async def handle_control(self, interaction: Interaction, number: int, action: str, argument: str) -> None:
        try:
            await self._handle_control(interaction, number, action, argument)
        except Exception as exc:
            await self.bot.report_interaction_error(interaction, exc)

    async def _handle_control(self, interaction: Interaction, number: int, action: str, argument: str) -> None:
        if action == CANCEL:
            await interaction.response.edit_message(content="Nothing was changed.", view=None, attachments=[])
            return
        if action == SUGGEST_MINE:  # any member, from /templates mine show
            await self.open_suggestion(interaction, None, str(number))
            return
        guild_id = await self.curator_guild(interaction)
        user_id, now = interaction.user.id, self.now()
        if action == DELETE_OK:
            gone = await self.library.delete(guild_id, user_id, number, base_version=_version(argument), now=now)
            await interaction.response.edit_message(
                content=f"Deleted server template `{gone.name}`; `/library history` still shows its versions.",
                view=None,
            )
        elif action in (MERGE, OVERWRITE):
            yours = await self.attached_json(interaction, YOURS_FILE)
            if action == MERGE:
                form = template_form(control_id(number, EDIT_FORM, argument), "Merge into the current version", yours)
                await open_form(interaction, form)
                return
            saved = await self.library.edit(guild_id, user_id, number, yours, base_version=_version(argument), now=now)
            await interaction.response.edit_message(content=saved_line(saved, "Overwrote:"), view=None, attachments=[])
        elif action == APPROVE:
            saved = await self.library.approve(guild_id, user_id, number, now)
            await interaction.response.edit_message(
                content=saved_line(saved, "Approved:") + " The member is told.", view=None,
                allowed_mentions=discord.AllowedMentions.none(),
            )  # fmt: skip
            await self.tell_by_dm(number, guild_id)
        elif action == REJECT:
            await open_form(interaction, reason_form(number))
        elif action == IMPORT_OK:
            digest, _, on_conflict = argument.partition("-")
            data = await self.attached_bytes(interaction, IMPORT_FILE)
            plan = await apply_import(
                self.bot.db, "guild", guild_id, data, self.library.shared, author_id=user_id, now=now,
                on_conflict="replace" if on_conflict == "replace" else "keep", expected_digest=digest,
                checker=self.library.checker, renderer=self.library.renderer,
            )  # fmt: skip
            written = sum(1 for e in plan.entries if e.writes)
            await interaction.response.edit_message(
                content=f"Imported: {written} templates written ({plan.count('added')} added); nothing else changed.",
                view=None,
                attachments=[],
            )
        else:
            raise DisputeDeskError("This button is from an older version of Dispute Desk; run the command again.")

    @staticmethod
    async def attached_bytes(interaction: Interaction, filename: str) -> bytes:
        message = interaction.message
        found = next((a for a in (message.attachments if message else []) if a.filename == filename), None)
        if found is None or found.size > MAX_FILE_BYTES:
            raise DisputeDeskError("The file this button belongs to is gone; run the command again.")
        return await found.read()

    async def attached_json(self, interaction: Interaction, filename: str) -> dict[str, str]:
        try:
            data = json.loads(await self.attached_bytes(interaction, filename))
        except ValueError:
            raise DisputeDeskError("The file this button belongs to is damaged; run the command again.") from None
        if not isinstance(data, dict):
            raise DisputeDeskError("The file this button belongs to is damaged; run the command again.")
        return {key: str(data.get(key, "")) for key in ("name", "title", "category", "body")}

    # -- forms ---------------------------------------------------------------------------------
    async def on_form(self, interaction: Interaction) -> None:
        """Every library form comes here (DisputeBot.on_interaction), also one opened before a restart."""
        parsed = SCHEME.parse(custom_id_of(interaction))
        if parsed is None or parsed[1] not in FORMS:
            return
        number, action, argument = parsed
        try:
            if self.bot.draining:
                raise DisputeDeskError("Dispute Desk is restarting. Submit the form again in a minute.")
            typed = form_values(interaction)
            await self.after_form(interaction, number, action, argument, typed)
        except Exception as exc:
            await self.bot.report_interaction_error(interaction, exc)

    async def after_form(
        self, interaction: Interaction, number: int, action: str, argument: str, typed: dict[str, str]
    ) -> None:
        user_id, now = interaction.user.id, self.now()
        if action == SUGGEST_FORM:
            guild_id = installed_guild(interaction)
            edits = str(number) if number else None
            suggestion = await self.library.suggest(guild_id, user_id, typed, now, edits=edits)
            await self.private(
                interaction,
                f"Thank you: suggestion #{suggestion.id} (`{suggestion.name}`) is with this server's curators. "
                "You will be told privately what they decide.",
            )
            return
        guild_id = await self.curator_guild(interaction)
        if action == ADD_FORM:
            saved = await self.library.create(guild_id, user_id, typed, now)
            await self.private(interaction, saved_line(saved, "Added", await self.library.sample(saved, now.date())))
        elif action == EDIT_FORM:
            try:
                saved = await self.library.edit(
                    guild_id, user_id, number, typed, base_version=_version(argument), now=now
                )
            except VersionConflict as conflict:
                current = await self.library.get(guild_id, str(number))
                diff = diff_text(current.template.body, typed.get("body", ""), f"version {current.version}", "yours")
                await conflict_message(conflict, number, typed, diff).send(interaction)
                return
            await self.private(interaction, saved_line(saved, "Saved", await self.library.sample(saved, now.date())))
        elif action == REJECT_FORM:
            decided = await self.library.reject(guild_id, user_id, number, typed.get("reason", ""), now)
            await self.private(
                interaction, f"Rejected suggestion #{decided.id} (`{decided.name}`); the member is told why."
            )
            await self.tell_by_dm(number, guild_id)

    # -- telling members -----------------------------------------------------------------------
    async def tell_outcomes(self, interaction: Interaction) -> None:
        """After the member's command is answered, privately: what curators decided about their suggestions."""
        # Taken when the command arrives, so a command tells what was decided before it was sent
        # (a decision made while it is answered waits for the next one); sent only once the
        # command itself is answered, so this never delays or competes with it.
        try:
            if self.bot.draining:
                return
            outcomes = await self.library.outcomes_for(interaction.user.id)
        except Exception:  # the bot may be stopping; they are told next time
            log.warning("could not read suggestions of user %s", interaction.user.id, exc_info=True)
            return
        if not outcomes:
            return
        try:
            for _ in range(int(OUTCOME_WAIT_S / 0.05)):
                if interaction.response.is_done():
                    break
                await asyncio.sleep(0.05)
            else:
                raise TimeoutError("the command was not answered in time")
            text = "\n".join(str(o) for o in outcomes)[:1900]
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
        except Exception:
            log.warning("could not tell user %s about their suggestions", interaction.user.id, exc_info=True)
            await self.library.untell(outcomes)  # told next time instead

    async def tell_by_dm(self, suggestion_id: int, guild_id: int) -> None:
        """Where the member accepts DMs, tell them now (then not again on their next command)."""
        suggestion = await self.library.templates.suggestion(guild_id, suggestion_id)
        if suggestion is None:
            return
        try:
            channel = await self.bot.create_dm(discord.Object(suggestion.suggester_id))
            guild = self.bot.get_guild(guild_id)
            where = f" (server: {guild.name})" if guild else ""
            text = f"{Outcome(suggestion)}{where}"[:1900]
            await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            return  # DMs closed: they are told the next time they use the bot
        await self.library.templates.mark_told(suggestion_id)

    @staticmethod
    async def private(interaction: Interaction, content: str) -> None:
        await interaction.response.send_message(
            content, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )


def _version(argument: str) -> int:
    return int(argument) if argument.isascii() and argument.isdigit() and len(argument) <= 9 else 0
