"""The Discord toolkit both cogs share: the Reply a handler answers with, private answers, persistent
controls and their dispatch, text as code blocks and files, and answering in time. (Discord's limits
and fit() are in bot/discord_limits.py, the custom-id scheme in bot/control_ids.py, the modal payload
reader in bot/modal_values.py.)"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
import time
import weakref
from collections.abc import Awaitable, Callable, Collection, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeAlias, TypeVar

import discord

from bot.control_ids import Control
from bot.errors import DisputeDeskError
from bot.modal_values import modal_values

if TYPE_CHECKING:
    from bot.client import DisputeBot

log = logging.getLogger(__name__)
#: An interaction with Dispute Desk's bot, as every cog handler receives it.
Interaction: TypeAlias = discord.Interaction["DisputeBot"]

#: The colour of every embed Dispute Desk sends; a refused answer is shown in the error colour.
EMBED_COLOUR = discord.Colour.from_rgb(46, 117, 182)
ERROR_COLOUR = discord.Colour.from_rgb(200, 80, 60)
CODE_BLOCK_OVERHEAD = len("```\n\n```")
T = TypeVar("T")


@dataclass(frozen=True)
class Reply:
    """One answer as Discord receives it, sent as a new message or as an edit of the clicked one.

    A field left at ``MISSING`` is not sent, so an edit keeps what the message had; ``None`` clears
    (``view=None`` removes the buttons). ``files`` go out as files on a new message and as the
    message's attachments on an edit (an empty tuple removes them). ``followups`` are more private
    messages sent after this one (a text too long for one message).
    """

    content: str | None = discord.utils.MISSING
    embeds: Sequence[discord.Embed] = discord.utils.MISSING
    view: discord.ui.View | None = discord.utils.MISSING
    files: Sequence[discord.File] = discord.utils.MISSING
    allowed_mentions: discord.AllowedMentions = discord.utils.MISSING
    ephemeral: bool = True
    followups: tuple[str, ...] = ()

    def but(self, **changes: Any) -> Reply:
        """This reply with some fields changed."""
        return replace(self, **changes)

    def _fields(self) -> dict[str, Any]:
        if isinstance(self.view, discord.ui.View):
            # Stopped, discord.py neither keeps the view nor times it out: a click is routed by its
            # custom id (ActionDispatch.handle_click). Left running, each private message's view was
            # kept (and a timer task with it) for 15 minutes.
            self.view.stop()
        fields = {
            "content": self.content,
            "embeds": self.embeds,
            "view": self.view,
            "allowed_mentions": self.allowed_mentions,
        }
        return {name: value for name, value in fields.items() if value is not discord.utils.MISSING}

    def _as_edit(self) -> dict[str, Any]:
        fields = self._fields()
        if self.files is not discord.utils.MISSING:
            fields["attachments"] = list(self.files)
        return fields

    def _as_new(self) -> dict[str, Any]:
        fields = self._fields()
        if self.files:
            fields["files"] = list(self.files)
        return fields

    async def send(self, interaction: discord.Interaction[Any]) -> None:
        """Answer the interaction with a new message (private unless ``ephemeral`` is False)."""
        await interaction.response.send_message(ephemeral=self.ephemeral, **self._as_new())
        await self._follow_up(interaction)

    async def edit(self, interaction: discord.Interaction[Any]) -> None:
        """Answer the interaction by editing the message its control was on."""
        await interaction.response.edit_message(**self._as_edit())
        await self._follow_up(interaction)

    async def edit_original(self, interaction: discord.Interaction[Any]) -> None:
        """Replace the answer of an interaction acknowledged earlier (deferred)."""
        await interaction.edit_original_response(**self._as_edit())
        await self._follow_up(interaction)

    async def answer(self, interaction: discord.Interaction[Any]) -> None:
        """Edit the message the control or form came from, or answer with a new message when there is none."""
        if updates_a_message(interaction):
            await self.edit(interaction)
        else:
            await self.send(interaction)

    async def post(self, channel: discord.abc.Messageable) -> discord.Message:
        """Send as a message of its own in ``channel`` (a direct message, say)."""
        return await channel.send(**self._as_new())

    async def _follow_up(self, interaction: discord.Interaction[Any]) -> None:
        for part in self.followups:
            await interaction.followup.send(part, ephemeral=self.ephemeral)


def updates_a_message(interaction: discord.Interaction[Any]) -> bool:
    """True when the interaction came from a control or form on a message, which its answer replaces."""
    return interaction.message is not None and interaction.type is not discord.InteractionType.application_command


async def ready(reply: Reply) -> Reply:
    """A reply already built, for answer_in_time."""
    return reply


async def open_form(interaction: discord.Interaction[Any], modal: discord.ui.Modal) -> None:
    """Answer with a form. Its submit is routed by custom id (DisputeBot.form_handlers); stopped,
    the modal is neither kept by discord.py with a 15-minute timer nor dispatched to a second time."""
    modal.stop()
    await interaction.response.send_modal(modal)


async def send_private(interaction: discord.Interaction[Any], content: str, **kwargs: Any) -> None:
    """Answer ephemerally, whether or not the interaction was already acknowledged."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, **kwargs)
        else:
            await interaction.response.send_message(content, ephemeral=True, **kwargs)
    except discord.HTTPException:
        log.warning("could not deliver a private message for interaction %s", interaction.id, exc_info=True)


async def accepting_clicks(interaction: discord.Interaction[Any], kept: str) -> bool:
    """False (after saying so privately) while the bot drains for a restart; ``kept`` says what is safe."""
    if getattr(interaction.client, "draining", False):
        await send_private(interaction, f"Dispute Desk is restarting. {kept}: click again in a minute.")
        return False
    return True


def code_block(text: str) -> str:
    """Text in a fenced block for one-tap copying; no run of backticks inside can close it.

    Discord closes a block at the first three backticks whatever the opening fence, so a longer
    fence does not help there (and a CommonMark viewer closes at a run as long as the fence):
    instead every run of three or more backticks in ``text`` gets a zero-width space after each
    pair, so four backticks become two, an invisible space, and two.
    """
    safe = _BACKTICK_RUN.sub("``\u200b", text)
    return f"```\n{safe}\n```"


# Two backticks followed by a third: break after the pair, then look again from the third.
_BACKTICK_RUN = re.compile(r"``(?=`)")


def text_file(text: str, filename: str) -> discord.File:
    # A lone surrogate (valid in JSON, so in a modal value or an answers file) cannot be encoded.
    readable = _SURROGATE.sub("\ufffd", text)
    return discord.File(io.BytesIO(readable.encode("utf-8")), filename=filename)


_SURROGATE = re.compile("[\ud800-\udfff]")


# Discord wants an answer within 3 s of the interaction's creation. While the loop is not busy the
# step is built at once and sent as the interaction's own answer (one request) when it is ready
# within the budget, which counts from the interaction's creation (its age when the handler starts).
# With many handlers in flight, or past the budget, it is acknowledged before any work and edited
# after (two requests). Measured (`make bench` sections 2 and 2b on two cores, 2026-11-30): answering
# in one request under a 1,000-seller crowd made the step show sooner (p50 about 3x the bare bot's
# acknowledgement instead of about 4.4x) for about the same interactions a second, but the queue
# before the handlers then passed Discord's 3 s: four runs of four lost interactions (47 to 935 in
# one setup); acknowledging first lost 16 and 1 in two runs. Answering in one request only when the
# build queue's recent pace said the step would be ready in time (later) lost none in most runs, but
# the acknowledgement is then the whole step: its median under the crowd went to 2.35x the bare bot's
# (docs/testing.md, section 2).
ACKNOWLEDGE_AFTER_S = 1.2
# "Many handlers in flight" means the loop is behind, not that replies wait on Discord: a handler
# counts until Discord answered its reply, so at a real round trip (tens of milliseconds) a modest
# load has many in flight while the loop idles. From BUSY_HANDLERS on, the bot acknowledges first
# only while the loop is late (a timer overdue by LOOP_LATE_S); from ALWAYS_BUSY_HANDLERS on, always.
BUSY_HANDLERS = 16
ALWAYS_BUSY_HANDLERS = 64
LOOP_TICK_S = 0.005
LOOP_LATE_S = 0.01
# Deferred work runs a few at a time, so that new interactions (acknowledgements, forms to open)
# find the event loop free instead of queueing behind every deferred build of a burst.
DEFERRED_BUILDS = 4


class _InFlight:
    """This event loop's handlers in flight, its deferred-build slots, and whether it runs late."""

    def __init__(self) -> None:
        self.count = 0
        self.builds = asyncio.Semaphore(DEFERRED_BUILDS)
        #: When the ticker should wake next (loop time); None while no ticker runs.
        self._tick_due: float | None = None
        self._ticker: asyncio.Task[None] | None = None

    def enter(self) -> None:
        self.count += 1
        if self._ticker is None:
            self._ticker = asyncio.ensure_future(self._tick())

    def leave(self) -> None:
        self.count -= 1

    @property
    def busy(self) -> bool:
        if self.count < BUSY_HANDLERS:
            return False
        if self.count >= ALWAYS_BUSY_HANDLERS:
            return True
        due = self._tick_due
        # No tick yet: the first handlers of a burst, before the ticker's first turn. Assume late.
        return due is None or asyncio.get_running_loop().time() - due > LOOP_LATE_S

    async def _tick(self) -> None:
        """Wake every LOOP_TICK_S while handlers are in flight: a wake-up that is overdue means
        the loop is busy with other work (a timer only runs once the ready callbacks have)."""
        loop = asyncio.get_running_loop()
        try:
            while self.count > 0:
                self._tick_due = loop.time() + LOOP_TICK_S
                await asyncio.sleep(LOOP_TICK_S)
        finally:
            self._tick_due = None
            self._ticker = None


_in_flight: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _InFlight] = weakref.WeakKeyDictionary()


def _this_loop() -> _InFlight:
    """A semaphore belongs to one event loop (tests run many), so the state is kept per loop."""
    loop = asyncio.get_running_loop()
    state = _in_flight.get(loop)
    if state is None:
        state = _in_flight[loop] = _InFlight()
    return state


def interaction_age(interaction: discord.Interaction[Any]) -> float:
    """Seconds since Discord created the interaction (its id's timestamp), read as plain numbers:
    it runs for every interaction."""
    created_ms = (interaction.id >> 22) + discord.utils.DISCORD_EPOCH
    return max(0.0, time.time() - created_ms / 1000)


async def answer_in_time(
    interaction: discord.Interaction[Any],
    build: Coroutine[Any, Any, Reply],
    *,
    update: bool,
) -> None:
    """Send the Reply ``build`` makes: edit the clicked message (``update``) or a new private message."""
    state = _this_loop()
    budget = getattr(interaction.client, "acknowledge_after_s", ACKNOWLEDGE_AFTER_S) - interaction_age(interaction)
    busy = state.busy
    state.enter()
    try:
        task: asyncio.Future[Reply] | None = None
        if budget > 0 and not busy:
            task = asyncio.ensure_future(build)
            await asyncio.wait({task}, timeout=budget)
            if task.done():
                reply = task.result()
                await (reply.edit(interaction) if update else reply.send(interaction))
                return
        try:
            if update:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=True, thinking=True)
        except BaseException:
            if task is None:
                build.close()
            else:  # the build still runs to its end (it may be saving an answer); its outcome is not needed
                task.add_done_callback(lambda done: done.cancelled() or done.exception())
            raise
        if task is None:
            async with state.builds:
                reply = await build
        else:
            reply = await task
        await reply.edit_original(interaction)
    finally:
        state.leave()


# A form can only be an interaction's first answer (it cannot follow an acknowledgement), so what
# it shows must be ready before Discord's deadline. When it is not, a private line asks for the
# click again, which beats a silent "This interaction failed" (PostgreSQL under 1,000 sellers:
# `make bench` section 2b).
FORM_READY_S = 2.2
BUSY_FORM = "Dispute Desk is busy right now: press the button again in a moment."


async def ready_for_form(interaction: discord.Interaction[Any], work: Coroutine[Any, Any, T]) -> T:
    """What ``work`` returns, if it is ready in time for a form; else DisputeDeskError(BUSY_FORM).

    ``work`` must only read: when it is late it is left to finish, and what it returns is not used.
    """
    budget = getattr(interaction.client, "form_ready_s", FORM_READY_S) - interaction_age(interaction)
    task = asyncio.ensure_future(work)
    await asyncio.wait({task}, timeout=max(budget, 0.0))
    if not task.done():
        task.add_done_callback(lambda done: done.cancelled() or done.exception())
        raise DisputeDeskError(BUSY_FORM)
    return task.result()


def text_field(
    custom_id: str, *, paragraph: bool, required: bool, max_length: int, default: str, placeholder: str
) -> discord.ui.TextInput[Any]:
    """One text input of a form; what was typed (or a default) is cut to fit ``max_length``."""
    return discord.ui.TextInput(
        custom_id=custom_id,
        style=discord.TextStyle.paragraph if paragraph else discord.TextStyle.short,
        required=required,
        max_length=max_length,
        default=default[:max_length] or None,
        placeholder=placeholder or None,
    )


class FormField(NamedTuple):
    """One labelled text input of a form: its key, what the user reads, its limits."""

    key: str
    label: str
    description: str
    placeholder: str
    max_length: int
    required: bool
    paragraph: bool = False


def add_fields(modal: discord.ui.Modal, fields: Iterable[FormField], typed: Mapping[str, Any]) -> discord.ui.Modal:
    """Each field as a labelled text input, filled with what was typed before (cut to fit)."""
    for field in fields:
        component = text_field(
            field.key,
            paragraph=field.paragraph,
            required=field.required,
            max_length=field.max_length,
            default=str(typed.get(field.key, "")),
            placeholder=field.placeholder,
        )
        modal.add_item(discord.ui.Label(text=field.label, description=field.description, component=component))
    return modal


Handler = Callable[[discord.Interaction[Any], Any, list[str]], Awaitable[None]]


def custom_id_of(interaction: discord.Interaction[Any]) -> str:
    """The custom id of the control clicked or the form submitted ("" for anything else)."""
    data: dict[str, Any] = dict(interaction.data or {})
    return str(data.get("custom_id", ""))


def let_go(interaction: discord.Interaction[Any]) -> None:
    """Break the reference cycles discord.py builds around an interaction once it is answered.

    The Interaction and its ``response`` (and its followup webhook, and the original response's
    message) point at each other, so the whole graph (the clicked message, its components, users,
    embeds) outlived the handler until a full collection of the garbage collector found it: under
    the 1,000-seller crowd, most of what every full collection freed. Without the cycle it is
    freed as soon as the handler returns. Only for an interaction nothing else holds any more.
    """
    for cached in ("_cs_response", "_cs_followup"):
        with contextlib.suppress(AttributeError):
            delattr(interaction, cached)
    with contextlib.suppress(AttributeError):
        interaction._original_response = None


def clicked_values(interaction: discord.Interaction[Any]) -> list[str]:
    """What a select was set to (nothing for a button)."""
    data: dict[str, Any] = dict(interaction.data or {})
    return [str(value) for value in data.get("values") or []]


class ActionDispatch:
    """One dispatch for a cog's controls and forms: the action of a custom id -> its one handler.

    A feature's clicks reach it by the prefix of their custom ids (``DisputeBot.control_handlers``,
    registered in ``cog_load``): the id carries everything, so a click on a message sent before a
    restart still works, and nothing is rebuilt from the message (discord.py's DynamicItem rebuilt
    a whole View of every message clicked, and ran each click as one more task).
    """

    bot: Any
    actions: Mapping[str, Handler]
    #: The answer to an action no handler knows: a forged id, or a control of an older version.
    outdated: ClassVar[str] = "This button is from an older version of Dispute Desk; run the command again."
    #: What a restart keeps, said to a click that arrives while the bot drains for one.
    kept: ClassVar[str] = "Nothing was lost"

    async def handle_click(self, interaction: discord.Interaction[Any], control_type: type[Control]) -> None:
        """A button or select of this feature: its control read off the custom id, then its handler."""
        control = control_type.clicked(custom_id_of(interaction))
        if control is None:
            await send_private(interaction, self.outdated)
            return
        if await accepting_clicks(interaction, self.kept):
            await self.handle_control(interaction, control, clicked_values(interaction))

    async def handle_control(self, interaction: discord.Interaction[Any], control: Control, values: list[str]) -> None:
        try:
            handler = self.actions.get(control.action)
            if handler is None:
                raise DisputeDeskError(self.outdated)
            await handler(interaction, control, values)
        except Exception as exc:  # every failure becomes a private answer (and an error id if unexpected)
            await self.bot.report_interaction_error(interaction, exc)

    async def handle_form(
        self, interaction: discord.Interaction[Any], control_type: type[Control], form_actions: Collection[str]
    ) -> None:
        """A modal submit of this feature (a form opened before a restart is still accepted)."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        control = control_type.parse(custom_id_of(interaction))
        if control is None or control.action not in form_actions:
            return
        try:
            if self.bot.draining:
                raise DisputeDeskError("Dispute Desk is restarting. Submit the form again in a minute.")
            await self.actions[control.action](interaction, control, [])
        except Exception as exc:
            await self.bot.report_interaction_error(interaction, exc)


def form_values(interaction: discord.Interaction[Any]) -> dict[str, str]:
    """The text a form was submitted with, by input."""
    values = modal_values(dict(interaction.data or {}))
    return {key: value for key, value in values.items() if isinstance(value, str)}
