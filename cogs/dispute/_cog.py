"""/dispute start and /dispute resume, and the handlers of every wizard control and form."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.control_ids import parse_row_id
from bot.discord_limits import MESSAGE_LIMIT
from bot.disputes.cases.reminders import KIND as REMINDER
from bot.disputes.cases.reminders import confirmation_text, discord_time
from bot.disputes.cases.service import RESULT_PROMPT
from bot.disputes.engine.flow import Flow, load_flow
from bot.disputes.wizard.custom_ids import ControlId
from bot.disputes.wizard.step import Click, Shown, StepAction
from bot.errors import DisputeDeskError
from bot.modal_values import modal_values
from bot.scheduler import DROPPED
from bot.storage.scheduled_jobs import Job
from bot.ui import (
    ActionDispatch,
    Handler,
    Interaction,
    Reply,
    answer_in_time,
    form_values,
    open_form,
    ready,
    ready_for_form,
)
from cogs.dispute._cases_views import (
    DMS_CLOSED,
    case_message,
    cases_message,
    refund_modal,
    reminder_dm,
    reminder_modal,
    reminder_picker,
    result_prompt_dm,
    stats_message,
)
from cogs.dispute._views import (
    draft_reply,
    form_modal,
    label_of,
    outcome_message,
    question_message,
    share_edit_modal,
    share_preview,
)
from cogs.library._settings import allowed, feedback_destination, post_feedback

if TYPE_CHECKING:
    from bot.client import DisputeBot

log = logging.getLogger(__name__)
# The actions of forms (modal submits): a form opened before a restart is still accepted.
FORM_ACTIONS = frozenset({StepAction.SUBMIT, "share_text", "remind_modal", "result_amount"})


def _choices(flow: Flow, question_id: str) -> list[app_commands.Choice[str]]:
    question = flow.question(question_id)
    assert question is not None, question_id
    return [app_commands.Choice(name=o.label[:100], value=o.value) for o in question.options][:25]


FLOW = load_flow()
RESULT_SAVED = "Result saved with the case."


def deadline_index(text: str) -> int:
    """The deadline's index carried by a control; -1 (no deadline) when it is not a small number."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else -1


def installed_here(interaction: Interaction) -> bool:
    """In a server where the bot itself is installed (not a user-installed app, not a DM)."""
    return interaction.guild_id is not None and interaction.is_guild_integration()


def installed_guild(interaction: Interaction) -> int | None:
    """The server's id where the bot itself is installed, else None (its cases count in /dispute stats)."""
    return interaction.guild_id if installed_here(interaction) else None


def own_names(interaction: Interaction) -> tuple[str, str]:
    """The user's Discord names, which a shared text must never carry."""
    return interaction.user.name, interaction.user.display_name


def can_share(interaction: Interaction) -> bool:
    """Only in a server where the bot itself is installed, and where both may send messages."""
    if interaction.guild_id is None or not interaction.is_guild_integration():
        return False
    user, app = interaction.permissions, interaction.app_permissions
    return bool(user.send_messages and app.send_messages and app.view_channel)


class DisputeCog(ActionDispatch, commands.Cog, name="Dispute"):
    dispute = app_commands.Group(
        name="dispute", description="Work out a difficult buyer: your options, the deadline, evidence and drafts"
    )
    outdated = "This button is from an older version of Dispute Desk; run `/dispute resume`."
    kept = "Your answers are saved"

    def __init__(self, bot: DisputeBot) -> None:
        self.bot = bot
        self.flow = bot.services.flow
        self.steps = bot.services.steps
        self.wizard = bot.services.wizard
        self.cases = bot.services.cases
        self.sharing = bot.services.share
        # Every control and form of /dispute: the action of its custom id -> its one handler.
        self.actions: dict[str, Handler] = {
            **dict.fromkeys(StepAction, self.on_step),
            StepAction.OPEN: self.on_open,
            StepAction.SHOW: self.on_show,
            StepAction.SUBMIT: self.on_submit,
            "draft": self.on_draft,
            **dict.fromkeys(("share", "share_ok", "share_no", "share_edit"), self.on_share),
            "share_text": self.on_share_text,
            "remind": self.on_remind,
            "remind_set": self.on_remind_set,
            "remind_typed": self.on_remind_typed,
            "remind_modal": self.on_case_form,
            "result_amount": self.on_case_form,
            "cases": self.on_cases,
            "case": self.on_case,
            "unremind": self.on_unremind,
            "result": self.on_result,
            "no_prompts": self.on_no_prompts,
            "duplicate": self.on_duplicate,
        }

    async def cog_load(self) -> None:
        self.bot.control_handlers[ControlId.scheme.prefix] = self.on_click
        self.bot.form_handlers[ControlId.scheme.prefix] = self.on_form
        self.bot.scheduler.register(REMINDER, self.send_reminder)
        self.bot.scheduler.register(RESULT_PROMPT, self.send_result_prompt)
        self.purge_stale_sessions.start()

    async def cog_unload(self) -> None:
        self.bot.control_handlers.pop(ControlId.scheme.prefix, None)
        self.bot.form_handlers.pop(ControlId.scheme.prefix, None)
        self.bot.scheduler.unregister(REMINDER)
        self.bot.scheduler.unregister(RESULT_PROMPT)
        self.purge_stale_sessions.cancel()

    @tasks.loop(hours=1)
    async def purge_stale_sessions(self) -> None:
        settings = self.bot.settings
        removed = await self.wizard.purge(
            timedelta(days=settings.session_ttl_days),
            self.bot.now(),
            closed_older_than=timedelta(days=settings.case_retention_days),
        )
        if removed:
            log.info("purged %d idle or expired /dispute cases", removed)
        # Rate-limit counters untouched for a day are full again: forget them.
        await self.steps.forget_idle_limits(self.bot.now())

    # -- commands ------------------------------------------------------------------------------
    @dispute.command(name="start")
    @app_commands.describe(platform="Where the order is (answers the first question)", type="What is happening")
    @app_commands.choices(platform=_choices(FLOW, "platform"), type=_choices(FLOW, "dispute_type"))
    async def start(self, interaction: Interaction, platform: str | None = None, type: str | None = None) -> None:
        """Start a new case: a few questions, then options, deadlines, evidence and drafts."""
        prefill = {key: value for key, value in (("platform", platform), ("dispute_type", type)) if value}

        async def first_step() -> Reply:
            shown = await self.steps.start(
                interaction.user.id, prefill, self.bot.now(), guild_id=installed_guild(interaction)
            )
            return self.message(interaction, shown)

        await answer_in_time(interaction, first_step(), update=False)

    @dispute.command(name="resume")
    @app_commands.describe(case="The case to bring back (your latest unfinished one if empty)")
    async def resume(self, interaction: Interaction, case: int | None = None) -> None:
        """Bring back an unfinished case, e.g. after its message disappeared."""
        guild_id = installed_guild(interaction)
        shown = await self.steps.resume(interaction.user.id, case, self.bot.now(), guild_id=guild_id)
        await self.message(interaction, shown).send(interaction)

    @resume.autocomplete("case")
    async def resume_autocomplete(self, interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
        choices = []
        for stored in await self.wizard.sessions.list_active(interaction.user.id):
            answers = stored.state.get("engine", {}).get("answers", {})
            parts = [label_of(self.flow, key, answers[key]) for key in ("platform", "dispute_type") if key in answers]
            name = f"#{stored.id} · {' · '.join(parts) or 'not started'} · {stored.updated_at:%d %b %H:%M} UTC"
            if current.lower() in name.lower():
                choices.append(app_commands.Choice(name=name[:100], value=stored.id))
        return choices[:25]

    @dispute.command(name="cases")
    async def cases_command(self, interaction: Interaction) -> None:
        """See your open and finished cases: deadlines, reminders, and how each one ended."""
        cases = await self.cases.cases(interaction.user.id, self.bot.now())
        if not cases:
            raise DisputeDeskError("You have no cases yet. Start one with `/dispute start`.")
        await cases_message(cases).send(interaction)

    @dispute.command(name="stats")
    async def stats_command(self, interaction: Interaction) -> None:
        """See how cases ended in this server, by dispute type and platform (small groups hidden)."""
        if interaction.guild_id is None or not installed_here(interaction):
            raise DisputeDeskError("`/dispute stats` works in a server where Dispute Desk is installed.")
        outcomes = await self.cases.server_outcomes(interaction.guild_id)
        await stats_message(outcomes).send(interaction)

    # -- rendering -----------------------------------------------------------------------------
    def message(self, interaction: Interaction, shown: Shown) -> Reply:
        """What a step shows, laid out: the screen, the outcome, or a closing line."""
        state = shown.state
        if shown.closed:
            return Reply(content=shown.note, embeds=(), view=None)
        if shown.outcome is None:
            assert state.screen is not None
            message = question_message(state, state.screen, self.flow, shown.profile)
        else:
            message = outcome_message(
                state, shown.outcome, self.flow, can_share=can_share(interaction), can_remind=shown.can_remind
            )
            if shown.community:
                message = message.but(content=f"-# {shown.community}")
        return message.but(content=shown.note) if shown.note else message

    @staticmethod
    def click(
        interaction: Interaction, control: ControlId, values: Sequence[str] = (), typed: Mapping[str, str] | None = None
    ) -> Click:
        """A wizard click (or form) as the core reads it; the action is one of StepAction."""
        return Click(
            control.session_id,
            interaction.user.id,
            StepAction(control.action),
            control.argument,
            tuple(values),
            dict(typed or {}),
            installed_guild(interaction),
        )

    async def stepped(self, interaction: Interaction, click: Click) -> Reply:
        return self.message(interaction, await self.steps.step(click, self.bot.now()))

    # -- reminders -----------------------------------------------------------------------------
    async def send_reminder(self, job: Job, now: datetime) -> str | None:
        """The scheduler's handler for reminders: a private message with a button back to the case."""
        assert job.user_id is not None
        note, text = self.cases.reminder_due(job, now)
        if text is None:
            log.info(
                "reminder %s dropped: its deadline passed at %s, before it could be sent",
                job.id, note.deadline_due.isoformat(timespec="minutes"),
            )  # fmt: skip
            return DROPPED
        channel = await self.bot.create_dm(discord.Object(job.user_id))
        try:
            await reminder_dm(note.session_id, text).post(channel)
        except discord.Forbidden:  # the user closed their DMs since: retrying would not help
            log.warning("reminder %s not delivered: user %s no longer accepts direct messages", job.id, job.user_id)
            return DROPPED
        return None

    async def send_result_prompt(self, job: Job, now: datetime) -> str | None:
        """The scheduler's handler for "how did it end?": a private question, unless no longer wanted."""
        assert job.user_id is not None and job.session_id is not None
        text = await self.cases.result_prompt_due(job, now)
        if text is None:
            return DROPPED
        channel = await self.bot.create_dm(discord.Object(job.user_id))
        try:
            await result_prompt_dm(job.session_id, text).post(channel)
        except discord.Forbidden:
            log.info("result prompt %s not delivered: user %s does not accept direct messages", job.id, job.user_id)
            return DROPPED
        return None

    async def set_reminder(self, interaction: Interaction, session_id: int, index: int, choice: str) -> str:
        """Schedule the reminder, then prove it can be delivered with a confirmation DM (or undo it)."""
        now = self.bot.now()
        reminder = await self.cases.remind(session_id, interaction.user.id, index, choice, now)
        try:
            channel = await interaction.user.create_dm()
            await channel.send(confirmation_text(reminder.note, reminder.at))
        except discord.Forbidden:
            await self.cases.cancel_reminder(interaction.user.id, reminder.job_id, now)
            raise DisputeDeskError(DMS_CLOSED) from None
        except discord.HTTPException:
            log.warning("could not confirm reminder %s by direct message", reminder.job_id, exc_info=True)
        self.bot.scheduler.wake()
        return (
            f"Reminder set: I'll message you {discord_time(reminder.at, 'R')} ({discord_time(reminder.at)}) "
            f"before **{reminder.note.deadline}**. Change or cancel it from `/dispute cases`."
        )


    # -- controls ------------------------------------------------------------------------------
    # -- wizard steps: one call into the core per click ------------------------------------------
    async def on_step(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        click = self.click(interaction, control, values)
        await answer_in_time(interaction, self.stepped(interaction, click), update=True)

    async def on_open(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        shown = await ready_for_form(interaction, self.steps.step(self.click(interaction, control), self.bot.now()))
        screen = shown.state.screen
        if screen is not None and screen.kind == "form":
            await open_form(interaction, form_modal(shown.state, screen, shown.profile))
        else:
            await answer_in_time(interaction, ready(self.message(interaction, shown)), update=True)

    async def on_submit(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        click = self.click(interaction, control, typed=form_values(interaction))
        await answer_in_time(interaction, self.stepped(interaction, click), update=True)

    async def on_show(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        await answer_in_time(interaction, self.stepped(interaction, self.click(interaction, control)), update=False)

    async def on_draft(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        await answer_in_time(interaction, self.draft(interaction, control, values[0]), update=False)

    async def on_share(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        await self.share(interaction, control.session_id, control.action)

    async def on_share_text(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        await self.after_share_edit(interaction, control, dict(interaction.data or {}))

    async def on_case_form(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        await self.after_case_form(interaction, control, dict(interaction.data or {}))

    # -- case and reminder controls: one handler per action ----------------------------------------
    async def on_remind(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        now = self.bot.now()
        deadlines = await self.cases.deadlines_to_remind(control.session_id, interaction.user.id, now)
        await reminder_picker(control.session_id, deadlines, now).send(interaction)

    async def on_remind_set(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        index, _, choice = control.argument.partition("=")
        done = await self.set_reminder(interaction, control.session_id, deadline_index(index), choice)
        await Reply(content=done, embeds=(), view=None).edit(interaction)

    async def on_remind_typed(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        state = await self.wizard.load(control.session_id, interaction.user.id)
        await open_form(interaction, reminder_modal(state.id, deadline_index(control.argument)))

    async def on_cases(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        cases = await self.cases.cases(interaction.user.id, self.bot.now())
        await cases_message(cases).edit(interaction)

    async def on_case(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        session_id = parse_row_id(values[0]) if values else None
        page = await self.cases.page(interaction.user.id, session_id or 0, self.bot.now())
        await case_message(page).edit(interaction)

    async def on_unremind(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        job_id = parse_row_id(values[0]) if values else None
        page = await self.cases.cancel_on_page(interaction.user.id, control.session_id, job_id or 0, self.bot.now())
        assert page.cancelled is not None
        await case_message(page, f"Reminder of {discord_time(page.cancelled.at)} cancelled.").edit(interaction)

    async def on_result(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        result = values[0] if values else ""
        if result == "partial_refund":
            await open_form(interaction, refund_modal(control.session_id))
            return
        page = await self.cases.close_on_page(interaction.user.id, control.session_id, result, None, self.bot.now())
        await case_message(page, RESULT_SAVED).edit(interaction)

    async def on_duplicate(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        async def first_step() -> Reply:
            new = await self.steps.duplicate(
                control.session_id, interaction.user.id, self.bot.now(), guild_id=installed_guild(interaction)
            )
            return self.message(interaction, new)

        await answer_in_time(interaction, first_step(), update=False)

    async def on_no_prompts(self, interaction: Interaction, control: ControlId, values: list[str]) -> None:
        await self.cases.stop_result_prompts(interaction.user.id, self.bot.now())
        done = "Understood: I won't ask how cases ended again. You can still record it from `/dispute cases`."
        await Reply(content=done, embeds=(), view=None).edit(interaction)

    async def draft(self, interaction: Interaction, control: ControlId, draft_id: str) -> Reply:
        """The chosen draft as a private message: a code block to copy (the rest as followups) and a file."""
        return draft_reply(await self.wizard.draft(control.session_id, interaction.user.id, draft_id, self.bot.now()))

    async def share(self, interaction: Interaction, session_id: int, action: str) -> None:
        if action == "share_no":
            await self.wizard.load(session_id, interaction.user.id)  # only the case's owner answers
            await Reply(content="Not posted.", view=None).edit(interaction)
            return
        if not can_share(interaction):
            raise DisputeDeskError(
                "Sharing works only in a server where Dispute Desk is installed and you may send messages."
            )
        if not await allowed(self.bot, interaction.guild_id, "share"):
            raise DisputeDeskError("This server's moderators turned **Share for feedback** off; nothing was posted.")
        if action == "share_ok":
            await self.post_shared(interaction, session_id)
            return
        if action == "share_edit":
            previewed = await self.sharing.previewed(session_id, interaction.user.id)
            await open_form(interaction, share_edit_modal(session_id, previewed))
            return
        report = await self.sharing.preview(session_id, interaction.user.id, own_names(interaction), self.bot.now())
        await share_preview(report, session_id).send(interaction)

    async def after_share_edit(self, interaction: Interaction, control: ControlId, data: dict[str, Any]) -> None:
        """The user edited the text to share: check it again, store it, show it before posting."""
        edited = str(modal_values(data).get("text") or "")
        report = await self.sharing.edit(
            control.session_id, interaction.user.id, edited, own_names(interaction), self.bot.now()
        )
        await share_preview(report, control.session_id).answer(interaction)

    async def post_shared(self, interaction: Interaction, session_id: int) -> None:
        """Post exactly the text the user previewed (stored when it was shown), once."""
        channel = interaction.channel
        if not isinstance(channel, discord.abc.Messageable):
            raise DisputeDeskError("This channel can't take posts; share from a text channel.")
        shared = await self.sharing.take(session_id, interaction.user.id, self.bot.now())
        post = f"**A member asks for feedback on a case** (shared by them after review)\n>>> {shared}"
        # The server's feedback channel (/settings), when set: a forum post of its own, or a thread.
        destination = await feedback_destination(self.bot, interaction.guild_id) if interaction.guild_id else None
        if destination is not None:
            where = await post_feedback(destination, f"Feedback wanted: case #{session_id}", post)
            await Reply(content=where, view=None).edit(interaction)
            return
        await channel.send(post[:MESSAGE_LIMIT])
        await Reply(content="Posted in this channel.", view=None).edit(interaction)

    # -- clicks and forms ----------------------------------------------------------------------
    async def on_click(self, interaction: Interaction) -> None:
        """Every wizard button and select comes here (DisputeBot.on_interaction), also one sent before a restart."""
        await self.handle_click(interaction, ControlId)

    async def on_form(self, interaction: Interaction) -> None:
        """Every wizard form comes here (DisputeBot.on_interaction), also one opened before a restart."""
        await self.handle_form(interaction, ControlId, FORM_ACTIONS)

    async def after_case_form(self, interaction: Interaction, control: ControlId, data: dict[str, Any]) -> None:
        """A reminder time typed, or a refund amount: apply it and update the message it came from."""
        typed = modal_values(data)
        if control.action == "remind_modal":
            when = str(typed.get("when") or "")
            done = await self.set_reminder(interaction, control.session_id, deadline_index(control.argument), when)
            reply = Reply(content=done, embeds=(), view=None)
        else:
            amount = str(typed.get("amount") or "")
            page = await self.cases.close_on_page(
                interaction.user.id, control.session_id, "partial_refund", amount, self.bot.now()
            )
            reply = case_message(page, RESULT_SAVED)
        await reply.answer(interaction)
