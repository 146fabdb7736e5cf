"""The real bot, through real discord.py, against the fake Discord on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

from bot.client import EXTENSIONS, DisputeBot, describe_shards
from bot.errors import DisputeDeskError
from bot.ui import Reply, answer_in_time
from tests.deskbot import desk_bot
from tests.fakediscord import PATIENCE_S, FakeDiscord

pytestmark = pytest.mark.timeout(60)
PROJECT_ROOT = Path(__file__).resolve().parents[1]
EPHEMERAL = 1 << 6
CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"


def add_failing_command(bot: DisputeBot) -> None:
    @bot.tree.command(name="explode")
    async def explode(interaction: discord.Interaction) -> None:
        """Fail on purpose (test only)."""
        raise RuntimeError("boom: a bug in a command")


class SlowCommand:
    """A /slow command that starts, then answers only once the test releases it."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    def add_to(self, bot: DisputeBot) -> None:
        @bot.tree.command(name="slow")
        async def slow(interaction: discord.Interaction) -> None:
            """Answer when released (test only)."""
            self.started.set()
            await self.release.wait()
            await interaction.response.send_message("done slowly", ephemeral=True)


async def test_login_syncs_valid_commands_installable_everywhere(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with desk_bot(fake_discord, tmp_path) as bot:
        assert bot.failed_extensions == {}
        assert set(bot.extensions) == set(EXTENSIONS)
        assert bot.synced_on_start is True
    assert fake_discord.sync_count == 1
    commands = fake_discord.commands()
    names = [c["name"] for c in commands]
    assert len(names) == len(set(names)), "two commands share a name"
    assert {"help", "about", "profile"} <= set(names)
    for command in commands:
        assert sorted(command["integration_types"]) == [0, 1], command["name"]
        assert sorted(command["contexts"]) == [0, 1, 2], command["name"]
        if command.get("type", 1) == 1:  # slash commands; context menus have no description
            assert 1 <= len(command["description"]) <= 100
        else:
            assert command["description"] == ""


async def test_one_listener_routes_every_click_and_form_by_prefix(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    # discord.py runs each on_interaction listener as a task per interaction: the bot has one, and
    # each feature only registers where its clicks and forms (and the library's command watcher) go.
    # No DynamicItem: discord.py would rebuild a View of the clicked message for every click.
    async with desk_bot(fake_discord, tmp_path) as bot:
        assert not bot.extra_events.get("on_interaction")
        assert set(bot.control_handlers) == {"dd", "rp", "lb", "pv"}
        assert set(bot.form_handlers) == {"dd", "rp", "lb"}
        assert len(bot.command_watchers) == 1
        assert not bot._connection._view_store._dynamic_items
        await bot.unload_extension("cogs.library")
        assert set(bot.form_handlers) == {"dd", "rp"} and bot.command_watchers == []
        assert set(bot.control_handlers) == {"dd", "rp", "pv"}


async def test_a_click_with_an_unknown_action_or_a_malformed_id_is_answered_privately(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path):
        started = await fake_discord.slash("dispute start", user=alice, dm=True)
        message = await started.message()
        button = next(cid for cid in message.custom_ids() if message.component(cid).get("type") == 2)
        for forged, expected in (
            ("dd:1:no_such_action", "/dispute resume"),  # a control of another version
            ("dd:one:back", "/dispute resume"),  # not the scheme's shape
            ("pv:1:explode", "older version"),
            ("lb:1:", "older version"),
        ):
            message.component(button)["custom_id"] = forged  # what a modified client can send
            button = forged
            answer = await (await fake_discord.click(message, forged, user=alice)).response()
            assert answer.type == 4 and answer.data["flags"] & EPHEMERAL, forged
            assert expected in answer.data["content"], (forged, answer.data["content"])


async def test_help_is_ephemeral_and_lists_the_synced_commands(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    guild = fake_discord.add_guild("Freelancers")
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path):
        result = await fake_discord.slash("help", user=alice, guild=guild)
        answer = await result.response()
    assert answer.type == 4
    assert answer.data["flags"] & EPHEMERAL
    assert answer.data["allowed_mentions"] == {"parse": []}
    listed = " ".join(field["value"] for field in answer.data["embeds"][0]["fields"])
    for command in fake_discord.commands():
        if command.get("type", 1) == 1 and not any(o["type"] in (1, 2) for o in command.get("options", [])):
            assert f"/{command['name']}`" in listed


async def test_help_in_a_dm_and_as_a_user_installed_app(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    elsewhere = fake_discord.add_guild("Not installed here", bot_member=False)
    async with desk_bot(fake_discord, tmp_path):
        in_dm = await fake_discord.slash("help", user=alice, dm=True)
        outside = await fake_discord.slash("help", user=alice, guild=elsewhere)
        for result in (in_dm, outside):
            answer = await result.response()
            assert answer.data["flags"] & EPHEMERAL
    assert outside.user_installed_outside


async def test_about_shows_version_and_schema(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path) as bot:
        answer = await (await fake_discord.slash("about", user=alice, dm=True)).response()
        schema = await bot.db.schema_version()
    assert f"Version: {bot.version}" in answer.data["content"]
    assert f"Database schema version: {schema}" in answer.data["content"]
    assert "This process runs 1 shard" in answer.data["content"]


async def test_second_boot_does_not_sync_but_a_changed_tree_does(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    async with desk_bot(fake_discord, tmp_path) as bot:
        assert bot.synced_on_start is True
    async with desk_bot(fake_discord, tmp_path) as bot:
        assert bot.synced_on_start is False
    assert fake_discord.sync_count == 1
    async with desk_bot(fake_discord, tmp_path, prepare=SlowCommand().add_to) as bot:
        assert bot.synced_on_start is True
    assert fake_discord.sync_count == 2
    assert "slow" in {c["name"] for c in fake_discord.commands()}


async def test_dev_guild_gets_the_commands_instantly(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    guild = fake_discord.add_guild("Dev server")
    async with desk_bot(fake_discord, tmp_path, DEV_GUILD_ID=str(guild.id)):
        pass
    assert {"help", "about"} <= {c["name"] for c in fake_discord.commands(guild)}
    assert fake_discord.commands() == []


@pytest.mark.parametrize("resumable", [True, False])
async def test_bot_keeps_answering_after_a_dropped_gateway(
    fake_discord: FakeDiscord, tmp_path: Path, resumable: bool
) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path):
        identifies = fake_discord.gateway.identify_count
        if resumable:
            await fake_discord.gateway_fault("drop")
        else:
            await fake_discord.gateway_fault("invalid_session", resumable=False)
        await fake_discord.wait_ready()
        answer = await (await fake_discord.slash("help", user=alice, dm=True)).response()
        assert answer.type == 4
        if resumable:
            assert fake_discord.gateway.resume_count >= 1
        else:
            assert fake_discord.gateway.identify_count > identifies


async def test_a_429_on_the_callback_is_retried(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path):
        fake_discord.fail_next("POST", r"/interactions/.*/callback", status=429, retry_after=0.2)
        answer = await (await fake_discord.slash("help", user=alice, dm=True)).response()
    assert answer.type == 4
    statuses = [r.status for r in fake_discord.requests if r.route == CALLBACK]
    assert statuses == [429, 200]


async def test_an_exception_gives_an_error_id_and_others_are_still_served(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    alice, bob = fake_discord.add_user("alice"), fake_discord.add_user("bob")
    guild = fake_discord.add_guild("Freelancers")
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        async with desk_bot(fake_discord, tmp_path, prepare=add_failing_command):
            failing = await fake_discord.slash("explode", user=alice, guild=guild)
            helped = await fake_discord.slash("help", user=bob, guild=guild)
            error_answer = await failing.response()
            assert (await helped.response()).type == 4
    assert error_answer.data["flags"] & EPHEMERAL
    content = error_answer.data["content"]
    match = re.search(r"Error id: `([0-9a-f]{8})`", content)
    assert match, content
    assert "Traceback" not in content and "boom" not in content
    logged = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info is not None


async def test_a_failing_extension_is_logged_and_the_rest_load(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path):
        pass  # a healthy first start syncs the commands; the failing start below does not
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        async with desk_bot(fake_discord, tmp_path, extensions=("tests.no_such_extension", *EXTENSIONS)) as bot:
            assert list(bot.failed_extensions) == ["tests.no_such_extension"]
            assert (await (await fake_discord.slash("help", user=alice, dm=True)).response()).type == 4
    assert any("tests.no_such_extension" in r.getMessage() for r in caplog.records)


async def test_close_finishes_interactions_in_flight(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    command = SlowCommand()
    async with desk_bot(fake_discord, tmp_path, prepare=command.add_to) as bot:
        slow = await fake_discord.slash("slow", user=alice, dm=True)
        await command.started.wait()
        closing = asyncio.create_task(bot.close())
        await asyncio.sleep(0)  # one turn of the loop: close() runs until it waits for the handler
        assert bot.draining
        assert slow.callback is None and not closing.done()  # close waits for the handler
        command.release.set()
        await closing
        answer = await slow.response()
    assert answer.data["content"] == "done slowly"


async def test_bot_process_connects_answers_and_stops_cleanly_on_sigterm(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake_discord.add_user("alice")
    env = run_env(tmp_path, **fake_discord.env(), DATABASE_PATH=str(tmp_path / "proc.sqlite3"))
    async with bot_process(env) as process:
        await fake_discord.wait_ready()
        await fake_discord.wait_for(lambda: fake_discord.sync_count >= 1, 10, "the bot's first sync")
        answer = await (await fake_discord.slash("help", user=alice, dm=True)).response()
        assert answer.type == 4
        early = await read_until(process.stdout, "ready as")
        code = await stop_with_sigterm(process)
    output = early + (await process.stdout.read()).decode()
    assert code == 0, output
    assert "stopped cleanly" in output
    assert re.search(r"ready as dispute-desk\S* \(\d+\) in \d+ servers, \d+ commands", output), output
    frozen = r"start-up objects frozen out of garbage collection: [1-9]\d*; collector thresholds \(2000, "
    assert re.search(frozen, output), output
    assert "PyNaCl" not in output and "davey" not in output
    assert fake_discord.token not in output
    log_text = (tmp_path / "logs" / "dispute-desk.log").read_text()
    assert "stopped cleanly" in log_text and fake_discord.token not in log_text


async def test_sync_command_forces_a_sync_even_when_unchanged(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    from bot.runner import sync_only
    from tests.deskbot import desk_settings

    settings = desk_settings(fake_discord, tmp_path)
    assert await sync_only(settings, guild_id=None) >= 3
    assert await sync_only(settings, guild_id=None) >= 3
    assert fake_discord.sync_count == 2
    guild = fake_discord.add_guild("Dev")
    await sync_only(settings, guild_id=guild.id)
    assert {"help", "about", "profile"} <= {c["name"] for c in fake_discord.commands(guild)}


async def read_until(stream: asyncio.StreamReader, marker: str) -> str:
    """The process's output up to and including the first line containing ``marker``."""
    lines: list[str] = []
    while not lines or marker not in lines[-1]:
        line = (await asyncio.wait_for(stream.readline(), PATIENCE_S)).decode()
        assert line, f"the process ended before printing {marker!r}: " + "".join(lines)
        lines.append(line)
    return "".join(lines)


@contextlib.asynccontextmanager
async def bot_process(env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot run` with ``env``, its output on one pipe; killed on the way out if still running."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=PROJECT_ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def stop_with_sigterm(process: asyncio.subprocess.Process) -> int:
    process.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(process.wait(), PATIENCE_S)


def run_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DISCORD_TOKEN": "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE." + "x" * 32,
        "DATABASE_PATH": str(tmp_path / "desk.sqlite3"),
        "LOG_DIR": str(tmp_path / "logs"),
        **settings,
    }


async def test_unreachable_discord_is_one_line_a_retry_and_a_clean_stop(tmp_path: Path) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = run_env(tmp_path, DISCORD_API_BASE_URL=f"http://127.0.0.1:{port}/api/v10")
    async with bot_process(env) as process:
        early = await read_until(process.stdout, "cannot reach Discord")
        code = await stop_with_sigterm(process)
    output = early + (await process.stdout.read()).decode()
    assert code == 0, output
    assert "trying again in 5 s" in output and "Traceback" not in output
    assert "stopped cleanly" in output


def test_an_unwritable_log_dir_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    env = run_env(tmp_path, LOG_DIR=str(tmp_path / "a-file" / "logs"))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=PROJECT_ROOT, env=env,
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: LOG_DIR: cannot create the log file in {tmp_path / 'a-file' / 'logs'}: Not a directory"
    ]


@pytest.mark.parametrize(
    ("ids", "count", "said"),
    [
        (None, None, "1 shard"),
        (None, 4, "shards 0-3 of 4"),
        ([2], 4, "shard 2 of 4"),
        ([0, 1, 2, 5, 7, 8], 10, "shards 0-2,5,7-8 of 10"),
    ],
)
def test_a_process_names_the_shards_it_runs(ids: list[int] | None, count: int | None, said: str) -> None:
    assert describe_shards(ids, count) == said


async def test_an_interaction_answered_too_late_is_not_answered_again(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Past Discord's 3 s an answer is refused ("Unknown interaction"): the bot logs one line and
    sends nothing more (an error message would be refused too, and a bot that fell behind cannot
    spare the requests)."""
    alice, bob = fake_discord.add_user("alice"), fake_discord.add_user("bob")
    with caplog.at_level(logging.WARNING, logger="bot.client"):
        async with desk_bot(fake_discord, tmp_path):
            fake_discord.interaction_deadline = 0.0  # every answer arrives late
            late = await fake_discord.slash("help", user=alice, dm=True)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + PATIENCE_S
            while not any("expired before it was answered" in r.getMessage() for r in caplog.records):
                assert loop.time() < deadline, "the late answer was never reported"
                await asyncio.sleep(0.01)
            fake_discord.interaction_deadline = 3.0
            assert (await (await fake_discord.slash("help", user=bob, dm=True)).response()).type == 4
    tried = [r for r in fake_discord.requests if r.route == CALLBACK and str(late.id) in r.path]
    assert [r.status for r in tried] == [404]
    assert not late.followups
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


class BuildsSlowly:
    """A /build command answered through answer_in_time, whose build waits for the test."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.finished = False

    def add_to(self, bot: DisputeBot) -> None:
        bot.acknowledge_after_s = 0.3  # the build below outlasts it

        @bot.tree.command(name="build")
        async def build_command(interaction: discord.Interaction, fail: bool = False) -> None:
            """Build slowly, then answer or fail (test only)."""

            async def build() -> Reply:
                await self.release.wait()
                self.finished = True
                if fail:
                    raise DisputeDeskError("the build found a problem")
                return Reply(content="built at last")

            await answer_in_time(interaction, build(), update=False)


@pytest.mark.parametrize("fail", [False, True])
async def test_a_build_that_outlasts_the_budget_is_acknowledged_meanwhile_then_answered(
    fake_discord: FakeDiscord, tmp_path: Path, fail: bool
) -> None:
    slow = BuildsSlowly()
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path, prepare=slow.add_to):
        sent = await fake_discord.slash("build", user=alice, dm=True, options={"fail": fail})
        acknowledged = await sent.response()
        # Acknowledged (privately, "thinking") while the build still runs: Discord's 3 s are kept.
        assert acknowledged.type == 5 and acknowledged.data["flags"] & EPHEMERAL
        assert not slow.finished
        slow.release.set()
        if fail:
            await fake_discord.wait_for(lambda: sent.followups, what="the error, as a follow-up")
            assert [m.content for m in sent.followups] == ["the build found a problem"]
        else:
            message = await sent.message()
            assert message.content == "built at last"
        callbacks = [r for r in fake_discord.requests if r.route.endswith("/callback")]
        assert len(callbacks) == 1  # one acknowledgement, the answer is an edit or a follow-up
