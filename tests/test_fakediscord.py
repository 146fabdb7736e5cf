"""Self-tests of the fake Discord: a bare discord.py bot, real client, loopback only."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import (
    FakeDiscord,
    FakeDiscordError,
    FakeGuild,
    FakeUser,
    SpecValidator,
    running_bot,
)
from tests.fakediscord.spec import CALLBACK_ROUTE, SPEC_ENV, VENDORED_SPEC_DIR, SpecNotFoundError, find_spec_dir

pytestmark = pytest.mark.timeout(30)
PROJECT_ROOT = Path(__file__).resolve().parents[1]

COMMANDS_ROUTE = "/applications/{application_id}/commands"
FOLLOWUP_ROUTE = "/webhooks/{webhook_id}/{webhook_token}"


class DemoView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)

    @discord.ui.button(label="Yes", custom_id="demo:yes", style=discord.ButtonStyle.success)
    async def yes(self, interaction: discord.Interaction, button: discord.ui.Button[DemoView]) -> None:
        await interaction.response.edit_message(content=f"clicked by {interaction.user.name}", view=None)

    @discord.ui.button(label="More", custom_id="demo:more")
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button[DemoView]) -> None:
        await interaction.response.defer()
        await interaction.followup.send("more info", wait=True)


class PickView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)

    @discord.ui.select(
        custom_id="demo:pick",
        options=[discord.SelectOption(label=x.upper(), value=x) for x in ("a", "b", "c")],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[PickView]) -> None:
        await interaction.response.send_message(f"picked {select.values[0]}")


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    def __init__(self, owner: int) -> None:
        super().__init__(custom_id=f"demo:feedback:{owner}", timeout=30)
        self.text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
            custom_id="demo:feedback:text", max_length=200
        )
        self.add_item(discord.ui.Label(text="Your feedback", component=self.text))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


class SelfTestBot(commands.Bot):
    """A bare bot exercising each interaction kind the fake supports."""

    def __init__(self) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.none(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.errors: list[BaseException] = []

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None

    async def setup_hook(self) -> None:
        tree = self.tree

        @tree.error
        async def on_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
            self.errors.append(getattr(error, "original", error))

        @tree.command(description="Answer pong.")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")

        @tree.command(description="Answer pong anywhere.")
        @app_commands.allowed_installs(guilds=True, users=True)
        @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
        async def where(interaction: discord.Interaction) -> None:
            ctx = interaction.context
            where = "guild" if ctx.guild else "dm" if ctx.dm_channel else "private"
            user_app = interaction.is_user_integration()
            await interaction.response.send_message(
                f"{where} guild={interaction.guild_id} user_app={user_app}"
            )

        @tree.command(description="Show buttons.")
        async def buttons(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("choose", view=DemoView())

        @tree.command(description="Show a select.")
        async def pick(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pick one", view=PickView())

        @tree.command(description="Open a modal.")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal(interaction.user.id))

        @tree.command(description="Send a text file.")
        async def export(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send(
                "here", file=discord.File(io.BytesIO(b"line 1\nline 2\n"), "notes.txt")
            )

        @tree.command(description="Reply with an attachment directly.")
        async def attach(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(file=discord.File(io.BytesIO(b"abc"), "a.txt"))

        @tree.command(description="Post in the channel.")
        async def announce(interaction: discord.Interaction, text: str) -> None:
            await interaction.response.defer(ephemeral=True)
            assert interaction.channel is not None
            await interaction.channel.send(text)  # type: ignore[union-attr]
            await interaction.followup.send("posted", ephemeral=True)

        @tree.command(description="DM yourself.")
        async def dmme(interaction: discord.Interaction) -> None:
            await interaction.user.send("a private note")
            await interaction.response.send_message("sent", ephemeral=True)

        @tree.command(description="Too long.")
        async def long(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("x" * 2001)

        group = app_commands.Group(name="case", description="Cases.")

        @group.command(name="open", description="Open a case.")
        @app_commands.describe(amount="Amount", who="Buyer")
        async def case_open(
            interaction: discord.Interaction, title: str, amount: int, who: discord.User | None = None
        ) -> None:
            name = who.name if who else "-"
            await interaction.response.send_message(f"{title}|{amount + 1}|{name}")

        tree.add_command(group)

        @tree.command(description="Pick a fruit.")
        async def fruit(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(name)

        @fruit.autocomplete("name")
        async def fruit_ac(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            fruits = ["apple", "apricot", "banana"]
            return [app_commands.Choice(name=f, value=f) for f in fruits if f.startswith(current)]

        @tree.context_menu(name="Quote")
        async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(f"> {message.content}")

        await tree.sync()


@dataclass
class Env:
    fake: FakeDiscord
    bot: SelfTestBot
    guild: FakeGuild
    alice: FakeUser


@pytest.fixture
async def env(fake_discord: FakeDiscord) -> AsyncIterator[Env]:
    guild = fake_discord.add_guild("Freelancers")
    alice = fake_discord.add_user("alice")
    bot = SelfTestBot()
    async with running_bot(bot, fake_discord):
        yield Env(fake_discord, bot, guild, alice)


# ----------------------------------------------------------------------------- login and sync


async def test_login_identify_and_sync_payload(env: Env, spec_validator: SpecValidator) -> None:
    fake = env.fake
    first = [(r.method, r.route) for r in fake.requests[:3]]
    assert first == [
        ("GET", "/users/@me"),
        ("GET", "/oauth2/applications/@me"),
        ("PUT", COMMANDS_ROUTE),
    ]
    assert fake.sync_count == 1
    names = {c["name"] for c in fake.commands()}
    assert {"ping", "buttons", "case", "Quote"} <= names
    sync = fake.requests_to("PUT", COMMANDS_ROUTE)[0]
    assert spec_validator.validate("PUT", COMMANDS_ROUTE, sync.json) == []
    assert sync.headers["Authorization"] == "[redacted]"
    gw = fake.gateway
    assert gw.identify_count == 1
    identify = next(e for e in gw.events if e.direction == "recv" and e.op == 2)
    assert identify.d["token"] == fake.token
    assert env.bot.get_guild(env.guild.id) is not None
    assert env.bot.user is not None and env.bot.user.id == fake.bot_user.id
    assert env.bot.application_id == fake.application_id


async def test_gateway_uses_zlib_stream_and_heartbeats(env: Env) -> None:
    conn = env.fake.gateway.current
    assert conn is not None
    assert "compress=zlib-stream" in conn.url
    assert conn.compressor is not None
    await env.fake.wait_for(lambda: env.fake.gateway.heartbeats >= 1, 2, "a heartbeat")
    assert env.bot.latency >= 0


async def test_rest_headers_unknown_route_and_bad_token(env: Env) -> None:
    fake = env.fake
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{fake.api_base_url}/users/@me", headers={"Authorization": "Bot wrong"}) as r:
            assert r.status == 401
            assert r.headers["Content-Type"] == "application/json"
            assert "X-RateLimit-Remaining" in r.headers
        auth = {"Authorization": f"Bot {fake.token}"}
        async with http.get(f"{fake.api_base_url}/guilds/1/nothing-here", headers=auth) as r:
            assert r.status == 404
            assert await r.json() == {"message": "404: Not Found", "code": 0}
            assert r.headers["X-RateLimit-Bucket"]
    assert [r.path for r in fake.unknown_requests] == ["/guilds/1/nothing-here"]


# ----------------------------------------------------------------------------- interactions


async def test_slash_answered_and_recorded(env: Env) -> None:
    res = await env.fake.slash("ping", user=env.alice, guild=env.guild)
    rec = await res.response()
    assert rec.type == 4
    assert rec.data["content"] == "pong"
    assert rec.data["allowed_mentions"] == {"parse": []}
    msg = await res.message()
    assert msg.content == "pong" and msg.interaction_id == res.id
    calls = env.fake.requests_to("POST", CALLBACK_ROUTE)
    assert calls[-1].query == {"with_response": "1"} and calls[-1].status == 200
    payload = res.payload
    assert payload["context"] == 0
    assert payload["authorizing_integration_owners"] == {"0": str(env.guild.id)}
    assert payload["member"]["user"]["id"] == str(env.alice.id)


async def test_slash_with_subcommand_and_typed_options(env: Env) -> None:
    bob = env.fake.add_user("bob")
    res = await env.fake.slash(
        "case open", user=env.alice, guild=env.guild, options={"title": "late", "amount": 41, "who": bob}
    )
    assert (await res.response()).data["content"] == "late|42|bob"
    with pytest.raises(FakeDiscordError, match="integer"):
        await env.fake.slash(
            "case open", user=env.alice, guild=env.guild, options={"title": "x", "amount": "1"}
        )
    with pytest.raises(FakeDiscordError, match="requires option 'amount'"):
        await env.fake.slash("case open", user=env.alice, guild=env.guild, options={"title": "x"})
    with pytest.raises(FakeDiscordError, match="needs a subcommand"):
        await env.fake.slash("case", user=env.alice, guild=env.guild)


async def test_button_click_round_trip(env: Env) -> None:
    fake = env.fake
    res = await fake.slash("buttons", user=env.alice, guild=env.guild)
    msg = await res.message()
    assert msg.custom_ids() == ["demo:yes", "demo:more"]
    more = await fake.click(msg, "demo:more", user=env.alice)
    assert (await more.response()).type == 6
    (followup,) = await more.wait_followups(1)
    assert followup.content == "more info"
    click = await fake.click(msg, "demo:yes", user=env.alice)
    rec = await click.response()
    assert rec.type == 7
    assert msg.content == "clicked by alice"
    assert msg.components == []  # view=None removed the buttons
    with pytest.raises(KeyError):
        await fake.click(msg, "demo:yes", user=env.alice)


async def test_select_round_trip(env: Env) -> None:
    res = await env.fake.slash("pick", user=env.alice, guild=env.guild)
    msg = await res.message()
    sel = await env.fake.select(msg, "demo:pick", ["b"], user=env.alice)
    assert (await sel.message()).content == "picked b"
    with pytest.raises(FakeDiscordError, match="no option"):
        await env.fake.select(msg, "demo:pick", ["z"], user=env.alice)


async def test_modal_submit(env: Env) -> None:
    res = await env.fake.slash("feedback", user=env.alice, guild=env.guild)
    modal = await res.wait_modal()
    assert modal["title"] == "Feedback"
    top = modal["components"][0]
    assert top["type"] == 18 and top["component"]["type"] == 4
    sub = await env.fake.submit_modal(res, {"demo:feedback:text": "great work"})
    rec = await sub.response()
    assert rec.type == 4
    assert rec.data["content"] == "thanks: great work"
    assert sub.original is not None and sub.original.ephemeral


async def test_autocomplete(env: Env) -> None:
    res = await env.fake.autocomplete("fruit", focused="name", value="ap", user=env.alice, guild=env.guild)
    assert [c["value"] for c in await res.choices()] == ["apple", "apricot"]


async def test_message_context_menu(env: Env) -> None:
    target = env.fake.add_message(env.guild.channel, env.alice, "you never paid")
    res = await env.fake.context_menu("Quote", target, user=env.alice)
    assert res.payload["data"]["target_id"] == str(target.id)
    assert (await res.response()).data["content"] == "> you never paid"


async def test_dm_interaction(env: Env) -> None:
    res = await env.fake.slash("where", user=env.alice, dm=True)
    # The bot's DM with a guild-installed app: authorized by {"0": "0"}.
    assert (await res.response()).data["content"] == "dm guild=None user_app=False"
    assert res.payload["authorizing_integration_owners"] == {"0": "0"}
    res = await env.fake.slash("where", user=env.alice, dm=True, user_installed=True)
    assert (await res.response()).data["content"] == "dm guild=None user_app=True"
    assert "member" not in res.payload and res.payload["user"]["id"] == str(env.alice.id)
    group = await env.fake.slash("where", user=env.alice, private_channel=True)
    assert (await group.response()).data["content"] == "private guild=None user_app=True"


async def test_user_installed_guild(env: Env) -> None:
    fake = env.fake
    foreign = fake.add_guild("Elsewhere", bot_member=False)
    res = await fake.slash("where", user=env.alice, guild=foreign)
    assert (await res.response()).data["content"] == f"guild guild={foreign.id} user_app=True"
    assert res.payload["authorizing_integration_owners"] == {"1": str(env.alice.id)}
    assert env.bot.get_guild(foreign.id) is None or env.bot.get_guild(foreign.id).unavailable  # type: ignore[union-attr]
    created = [e for e in fake.gateway.events if e.t == "GUILD_CREATE"]
    assert [e.d["id"] for e in created] == [str(env.guild.id)]
    with pytest.raises(FakeDiscordError, match="integration_types"):
        await fake.slash("ping", user=env.alice, guild=foreign)


async def test_dm_and_channel_post(env: Env) -> None:
    fake = env.fake
    res = await fake.slash("dmme", user=env.alice, guild=env.guild)
    await res.response()
    dm = fake.dm_channels[env.alice.id]
    assert [m.content for m in fake.bot_messages() if m.channel_id == dm.id] == ["a private note"]
    ann = await fake.slash("announce", user=env.alice, guild=env.guild, options={"text": "hello all"})
    (done,) = await ann.wait_followups(1)
    assert done.ephemeral
    posted = [
        m for m in fake.bot_messages() if m.source == "channel" and m.channel_id == env.guild.channel.id
    ]
    assert [m.content for m in posted] == ["hello all"]


async def test_a_user_who_does_not_accept_dms_gets_50007(env: Env) -> None:
    fake = env.fake
    env.alice.accepts_dms = False
    channel = await env.bot.create_dm(discord.Object(env.alice.id))  # opening the DM works, as on Discord
    with pytest.raises(discord.Forbidden) as refused:
        await channel.send("a private note")
    assert refused.value.code == 50007 and refused.value.status == 403
    assert [r.status for r in fake.requests_to("POST", "/channels/{channel_id}/messages")] == [403]
    assert not [m for m in fake.bot_messages() if m.channel_id == channel.id]


async def test_multipart_attachments_recorded(env: Env) -> None:
    fake = env.fake
    res = await fake.slash("export", user=env.alice, guild=env.guild)
    assert (await res.response()).type == 5
    (msg,) = await res.wait_followups(1)
    assert msg is res.original  # the first followup after a defer fills the "thinking" message
    assert not msg.flags & 128  # LOADING cleared
    assert msg.files[0].filename == "notes.txt"
    assert msg.files[0].text == "line 1\nline 2\n"
    assert msg.attachments[0]["filename"] == "notes.txt"
    req = fake.requests_to("POST", FOLLOWUP_ROUTE)[-1]
    assert req.json["content"] == "here" and req.files[0].data == b"line 1\nline 2\n"
    direct = await fake.slash("attach", user=env.alice, guild=env.guild)
    rec = await direct.response()
    assert rec.type == 4 and rec.files[0].filename == "a.txt"
    async with aiohttp.ClientSession() as http, http.get((await direct.message()).attachments[0]["url"]) as r:
        assert await r.read() == b"abc"


# ----------------------------------------------------------------------------- gateway faults


async def test_drop_resumes_and_replays_missed_events(env: Env) -> None:
    fake = env.fake
    await fake.gateway_fault("drop")
    res = await fake.slash("ping", user=env.alice, guild=env.guild)  # dispatched while disconnected
    assert (await res.response()).data["content"] == "pong"
    assert fake.gateway.resume_count == 1 and fake.gateway.identify_count == 1
    assert fake.gateway.current is not None and fake.gateway.current.url.startswith("/resume")


async def test_drop_not_resumable_reidentifies(env: Env) -> None:
    fake = env.fake
    await fake.gateway_fault("drop", resumable=False)
    await fake.wait_ready()
    assert fake.gateway.identify_count == 2
    res = await fake.slash("ping", user=env.alice, guild=env.guild)
    assert (await res.response()).data["content"] == "pong"


@pytest.mark.parametrize(
    ("kind", "resumable", "identifies", "resumes"),
    [
        ("close", True, 1, 1),
        ("reconnect", True, 1, 1),
        ("invalid_session", True, 1, 1),
        ("invalid_session", False, 2, 0),
    ],
)
async def test_gateway_faults_recover(
    env: Env, kind: str, resumable: bool, identifies: int, resumes: int
) -> None:
    fake = env.fake
    await fake.gateway_fault(kind, code=4000, resumable=resumable)
    await fake.wait_ready()
    assert (fake.gateway.identify_count, fake.gateway.resume_count) == (identifies, resumes)
    res = await fake.slash("ping", user=env.alice, guild=env.guild)
    assert (await res.response()).data["content"] == "pong"


# ----------------------------------------------------------------------------- REST faults


async def test_429_on_callback_is_retried(env: Env) -> None:
    fake = env.fake
    fault = fake.fail_next("POST", r"/interactions/.*/callback", status=429, retry_after=0.2)
    res = await fake.slash("ping", user=env.alice, guild=env.guild)
    rec = await res.response()
    assert rec.data["content"] == "pong"
    assert fault.hits == 1
    statuses = [r.status for r in fake.requests_to("POST", CALLBACK_ROUTE)]
    assert statuses == [429, 200]
    first, retry = fake.requests_to("POST", CALLBACK_ROUTE)
    assert retry.time - first.time >= fault.retry_after  # discord.py waited as the 429 asked


async def test_500_on_callback_is_retried(env: Env) -> None:
    fake = env.fake
    fault = fake.fail_next("POST", r"/interactions/.*/callback", status=500)
    res = await fake.slash("ping", user=env.alice, guild=env.guild)
    assert (await res.response()).data["content"] == "pong"
    assert fault.hits == 1
    assert [r.status for r in fake.requests_to("POST", CALLBACK_ROUTE)] == [500, 200]


async def test_server_error_surfaces_to_the_error_handler(env: Env) -> None:
    fake = env.fake
    fake.fail_next("POST", r"^/channels/\d+/messages$", status=503)
    res = await fake.slash("announce", user=env.alice, guild=env.guild, options={"text": "hi"})
    await res.response()
    await fake.wait_for(lambda: env.bot.errors, 3, "the error handler")
    assert isinstance(env.bot.errors[0], discord.DiscordServerError)
    assert env.bot.errors[0].status == 503


async def test_404_on_followup_surfaces(env: Env) -> None:
    fake = env.fake
    fake.fail_next("POST", r"^/webhooks/", status=404, json={"message": "Unknown Webhook", "code": 10015})
    res = await fake.slash("export", user=env.alice, guild=env.guild)
    await res.response()
    await fake.wait_for(lambda: env.bot.errors, 3, "the error handler")
    assert isinstance(env.bot.errors[0], discord.NotFound)
    assert env.bot.errors[0].code == 10015


async def test_callback_after_deadline_is_rejected(env: Env) -> None:
    env.fake.interaction_deadline = 0.0
    res = await env.fake.slash("ping", user=env.alice, guild=env.guild)
    await env.fake.wait_for(lambda: res.rejected, 3, "the late callback")
    assert res.callback is None
    await env.fake.wait_for(lambda: env.bot.errors, 3, "the error handler")
    assert isinstance(env.bot.errors[0], discord.NotFound) and env.bot.errors[0].code == 10062


# ----------------------------------------------------------------------------- spec validation


async def test_validator_flags_bad_body_end_to_end(env: Env, spec_validator: SpecValidator) -> None:
    res = await env.fake.slash("long", user=env.alice, guild=env.guild)
    await res.response()
    problems = env.fake.take_spec_problems()
    assert problems, "a 2,001-character content must be reported"
    assert problems[0].route == CALLBACK_ROUTE
    assert problems[0].json_path == "$.data.content"


def test_validator_rejects_bad_bodies(spec_validator: SpecValidator) -> None:
    ok = {"type": 4, "data": {"content": "hi", "allowed_mentions": {"parse": []}}}
    assert spec_validator.validate("POST", CALLBACK_ROUTE, ok) == []

    too_long = {"type": 4, "data": {"content": "x" * 2001, "allowed_mentions": {"parse": []}}}
    (p,) = spec_validator.validate("POST", CALLBACK_ROUTE, too_long)
    assert p.json_path == "$.data.content" and "CreateMessageInteractionCallbackRequest" in p.message

    upper = [{"name": "Ping", "description": "d", "type": 1}]
    msgs = [str(p) for p in spec_validator.validate("PUT", COMMANDS_ROUTE, upper)]
    assert any("invalid slash command name 'Ping'" in m for m in msgs)

    no_mentions = {"type": 4, "data": {"content": "hi"}}
    (p,) = spec_validator.validate("POST", CALLBACK_ROUTE, no_mentions)
    assert p.json_path == "$.data.allowed_mentions"

    parse_users = {"content": "hi", "allowed_mentions": {"parse": ["users"]}}
    assert spec_validator.validate("POST", FOLLOWUP_ROUTE, parse_users, creates_message=True)

    def row(i: int) -> dict[str, object]:
        return {"type": 1, "components": [{"type": 2, "style": 1, "label": "b", "custom_id": f"c{i}"}]}

    six_rows = {
        "type": 4,
        "data": {"components": [row(i) for i in range(6)], "allowed_mentions": {"parse": []}},
    }
    assert any("action rows" in p.message for p in spec_validator.validate("POST", CALLBACK_ROUTE, six_rows))

    dup = {"type": 4, "data": {"components": [row(1), row(1)], "allowed_mentions": {"parse": []}}}
    assert any(
        "duplicate custom_id" in p.message for p in spec_validator.validate("POST", CALLBACK_ROUTE, dup)
    )

    long_label = {
        "type": 4,
        "data": {
            "components": [
                {"type": 1, "components": [{"type": 2, "style": 1, "label": "x" * 81, "custom_id": "a"}]}
            ],
            "allowed_mentions": {"parse": []},
        },
    }
    assert spec_validator.validate("POST", CALLBACK_ROUTE, long_label)

    dm = {"recipient_id": 1234}
    assert spec_validator.validate("POST", "/users/@me/channels", dm) == []


async def test_deferred_validation_mode() -> None:
    async with FakeDiscord(validate="deferred") as fake:
        fake._validate("POST", CALLBACK_ROUTE, {"type": 4, "data": {"content": "x" * 2001}}, False)
        assert fake._pending_validation
        assert len(fake.spec_problems) == 2  # too long + no allowed_mentions
        assert not fake._pending_validation


# ----------------------------------------------------------------------------- subprocess bot


async def test_subprocess_bot_connects_to_in_process_fake() -> None:
    async with FakeDiscord() as fake:
        guild = fake.add_guild()
        alice = fake.add_user("alice")
        root = PROJECT_ROOT
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.fakediscord.bare_bot",
            cwd=root,
            env={**os.environ, **fake.env(), "PYTHONPATH": str(root)},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await fake.wait_ready()
            await fake.wait_for(lambda: fake.sync_count, 10, "the subprocess to sync")
            res = await fake.slash("ping", user=alice, guild=guild)
            assert (await res.response()).data["content"] == "pong"
        finally:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        assert fake.spec_problems == []


def test_the_spec_is_the_vendored_copy_unless_the_environment_names_another(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(SPEC_ENV, raising=False)
    assert find_spec_dir() == VENDORED_SPEC_DIR
    assert (VENDORED_SPEC_DIR / "LICENSE").is_file()
    monkeypatch.setenv(SPEC_ENV, str(tmp_path))
    with pytest.raises(SpecNotFoundError, match=SPEC_ENV):
        find_spec_dir()
    (tmp_path / "openapi.json").write_text("{}")
    assert find_spec_dir() == tmp_path
