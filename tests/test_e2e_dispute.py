"""/dispute end to end: real discord.py, the fake Discord, payloads checked against the spec."""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import discord
import pytest

from bot.client import DisputeBot
from bot.disputes.wizard.custom_ids import ControlId
from bot.ui import BUSY_FORM
from tests.botprocess import BotProcess
from tests.deskbot import desk_bot
from tests.fakediscord import PATIENCE_S, FakeDiscord
from tests.fakediscord.plugin import format_problems
from tests.s1 import S1_FILE, S1_NOW, s1_answers
from tests.wizard_driver import answer_step, control, is_outcome, walk_to_outcome

pytestmark = pytest.mark.timeout(120)
PROJECT_ROOT = Path(__file__).resolve().parents[1]
EPHEMERAL = 1 << 6


def fixed_clock(bot: DisputeBot) -> None:
    bot.clock = lambda: S1_NOW


def cli_drafts(tone: str) -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "draft", "--answers", str(S1_FILE), "--format", "json",
         "--now", S1_NOW.isoformat(), "--tone", tone],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return {d["id"]: d["text"] for d in json.loads(result.stdout)["drafts"]}


async def test_s1_by_clicks_ends_with_the_same_drafts_as_the_cli(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    guild = fake_discord.add_guild("Freelancers")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock):
        started = await fake_discord.slash("dispute start", user=alice, guild=guild)
        first = await started.response()
        assert first.data["flags"] & EPHEMERAL
        assert first.data["embeds"][0]["title"].startswith("Step 1 · ")
        message = await started.message()
        outcome = await walk_to_outcome(fake_discord, message.id, alice, s1_answers())
        description = outcome.embeds[0]["description"]
        assert "<t:" in description and ":R>" in description
        expected = cli_drafts("neutral")
        draft_select = control(outcome, "draft")
        assert draft_select is not None
        for draft_id, text in expected.items():
            opened = await fake_discord.select(outcome, str(draft_select), [draft_id], user=alice)
            answer = await opened.response()
            assert answer.data["flags"] & EPHEMERAL
            followups = [m.content for m in opened.followups]
            shown = "\n".join([answer.data["content"], *followups])
            file_text = answer.files[0].text
            assert file_text.strip() == text.strip()
            for paragraph in text.split("\n\n"):
                assert paragraph.strip().splitlines()[0] in shown


async def test_sent_buttons_and_forms_leave_no_view_or_timer_behind(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    """discord.py keeps a private message's view, or a form left open, with a 15-minute timer task,
    unless it is stopped: clicks and submits are routed by custom id, so nothing needs to stay."""
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        for _ in range(3):
            started = await fake_discord.slash("dispute start", user=alice, dm=True)
            assert (await started.response()).type == 4
        outcome = await walk_to_outcome(fake_discord, (await started.message()).id, alice, s1_answers())
        assert is_outcome(outcome)
        bob = fake_discord.add_user("bob")  # alice has used her three new cases a minute
        started = await fake_discord.slash("dispute start", user=bob, dm=True)
        message = await started.message()
        while control(fake_discord.messages[message.id], "open") is None:  # to the first form, left open
            await answer_step(fake_discord, fake_discord.messages[message.id], bob, s1_answers())
        form = control(fake_discord.messages[message.id], "open")
        await (await fake_discord.click(fake_discord.messages[message.id], str(form), user=bob)).wait_modal()
        view_timers = [t for t in asyncio.all_tasks() if "timeout_task" in t.get_coro().__qualname__]
        assert view_timers == []
        assert bot.persistent_views == []


async def test_an_answered_click_leaves_no_reference_cycle_behind(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    """discord.py's Interaction and its response point at each other: left so, the clicked message and
    all it holds wait for a full garbage collection; once answered, the cycle is broken."""
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock):
        started = await fake_discord.slash("dispute start", user=alice, dm=True)
        message = await started.message()
        gc.collect()
        gc.disable()
        try:
            made = await answer_step(fake_discord, fake_discord.messages[message.id], alice, s1_answers())
            await asyncio.sleep(0.2)  # the handler returns after its answer went out
            gc.set_debug(gc.DEBUG_SAVEALL)
            gc.collect()
            clicked = {interaction.id for interaction in made}
            left = [o for o in gc.garbage if isinstance(o, discord.Interaction) and o.id in clicked]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
        assert clicked and left == []


async def test_tone_switch_and_edit_answers_in_place(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock):
        started = await fake_discord.slash("dispute start", user=alice, dm=True)
        await started.response()
        message = await started.message()
        outcome = await walk_to_outcome(fake_discord, message.id, alice, s1_answers())
        firm = control(outcome, "tone", "firm")
        assert firm is not None
        switched = await fake_discord.click(outcome, str(firm), user=alice)
        assert (await switched.response()).type == 7
        outcome = fake_discord.messages[message.id]
        assert "**firm** tone" in outcome.embeds[-1]["description"]
        draft_select = str(control(outcome, "draft"))
        opened = await fake_discord.select(outcome, draft_select, ["decline_with_path_forward"], user=alice)
        firm_text = (await opened.response()).files[0].text.strip()
        assert firm_text == cli_drafts("firm")["decline_with_path_forward"].strip()
        edit = control(outcome, "edit")
        assert edit is not None
        editing = await fake_discord.select(outcome, str(edit), ["goal"], user=alice)
        answer = await editing.response()
        assert answer.type == 7 and "What matters most" in answer.data["embeds"][0]["title"]
        outcome = await walk_to_outcome(fake_discord, message.id, alice, {**s1_answers(), "goal": "keep_rating"})
        assert is_outcome(outcome)


async def test_someone_else_clicking_is_refused_privately_and_changes_nothing(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    alice, mallory = fake_discord.add_user("alice"), fake_discord.add_user("mallory")
    guild = fake_discord.add_guild("Freelancers")
    async with desk_bot(fake_discord, tmp_path) as bot:
        started = await fake_discord.slash("dispute start", user=alice, guild=guild)
        await started.response()
        message = await started.message()
        pick = control(message, "pick")
        assert pick is not None
        session_id = pick.session_id
        before = await bot.db.fetch_one("SELECT state, revision FROM dispute_sessions WHERE id = ?", (session_id,))
        attempts = [await fake_discord.select(message, str(pick), ["fiverr"], user=mallory)]
        for action in ("back", "restart", "cancel"):
            target = control(message, action)
            assert target is not None
            attempts.append(await fake_discord.click(message, str(target), user=mallory))
        for attempt in attempts:
            refused = await attempt.response()
            assert refused.type == 4 and refused.data["flags"] & EPHEMERAL
            assert "isn't your case" in refused.data["content"]
        after = await bot.db.fetch_one("SELECT state, revision FROM dispute_sessions WHERE id = ?", (session_id,))
        assert tuple(before) == tuple(after)  # type: ignore[arg-type]


async def test_user_installed_in_a_foreign_guild_and_in_a_dm(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    foreign = fake_discord.add_guild("Not installed here", bot_member=False)
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock):
        for where in ({"guild": foreign}, {"dm": True}):
            started = await fake_discord.slash("dispute start", user=alice, **where)  # type: ignore[arg-type]
            await started.response()
            message = await started.message()
            outcome = await walk_to_outcome(fake_discord, message.id, alice, s1_answers())
            assert control(outcome, "share") is None  # no sharing where the bot is not installed


async def test_mentions_in_the_buyer_message_stay_inert(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    guild = fake_discord.add_guild("Freelancers")
    role = fake_discord.add_role(guild, "mods", 0)
    hostile = f"@everyone @here <@&{role.id}> <@{alice.id}> I want a refund!"
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock):
        started = await fake_discord.slash("dispute start", user=alice, guild=guild)
        await started.response()
        message = await started.message()
        outcome = await walk_to_outcome(fake_discord, message.id, alice, {**s1_answers(), "buyer_message": hostile})
        share = control(outcome, "share")
        assert share is not None
        preview = await fake_discord.click(outcome, str(share), user=alice)
        await preview.response()
        shown = await preview.message()
        post = await fake_discord.click(shown, str(control(shown, "share_ok")), user=alice)
        await post.response()
    bodies = [r.json for r in fake_discord.requests if isinstance(r.json, dict)]
    message_bodies = [b for b in bodies if "content" in b or "embeds" in b or "data" in b]
    assert message_bodies
    for body in message_bodies:
        payload = body.get("data", body)
        if isinstance(payload, dict) and ("content" in payload or "embeds" in payload):
            assert payload.get("allowed_mentions") == {"parse": []}, body
    channel_posts = [r for r in fake_discord.requests if r.route == "/channels/{channel_id}/messages"]
    assert len(channel_posts) == 1
    posted = channel_posts[0].json["content"]
    assert "@everyone" not in posted and f"<@{alice.id}>" not in posted and "[someone]" in posted


async def test_bad_form_input_stays_on_the_step_with_what_was_typed(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock):
        started = await fake_discord.slash(
            "dispute start", user=alice, dm=True,
            options={"platform": "fiverr", "type": "cancellation_after_delivery"},
        )  # fmt: skip
        await started.response()
        message = await started.message()
        await walk_until_form(fake_discord, message.id, alice)
        message = fake_discord.messages[message.id]
        form = control(message, "open")
        assert form is not None
        opened = await fake_discord.click(message, str(form), user=alice)
        modal = await opened.wait_modal()
        field_ids = [row["component"]["custom_id"] for row in modal["components"]]
        submitted = await fake_discord.submit_modal(opened, dict.fromkeys(field_ids, "someday maybe"))
        answer = await submitted.response()
        assert answer.type == 7
        assert "⚠" in answer.data["embeds"][0]["description"]
        reopened = await fake_discord.click(fake_discord.messages[message.id], str(form), user=alice)
        again = await reopened.wait_modal()
        assert [row["component"].get("value") for row in again["components"]] == ["someday maybe"] * len(field_ids)


async def test_a_form_not_ready_in_time_is_answered_busy(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    """A form cannot follow an acknowledgement: when what it shows cannot be read in time (here the
    database is held by a write), the click is answered privately instead of failing, and the next
    click opens it."""

    def short_wait(bot: DisputeBot) -> None:
        fixed_clock(bot)
        bot.form_ready_s = 0.2

    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path, prepare=short_wait) as bot:
        started = await fake_discord.slash(
            "dispute start", user=alice, dm=True,
            options={"platform": "fiverr", "type": "cancellation_after_delivery"},
        )  # fmt: skip
        message = await started.message()
        await walk_until_form(fake_discord, message.id, alice)
        message = fake_discord.messages[message.id]
        form = control(message, "open")
        assert form is not None
        await bot.services.wizard.purge(timedelta(days=3650), S1_NOW)  # cases are read afresh, as after a restart
        async with bot.db.transaction():
            opened = await fake_discord.click(message, str(form), user=alice)
            answer = await opened.response()
        assert answer.type == 4 and answer.data["flags"] & EPHEMERAL
        assert answer.data["content"] == BUSY_FORM
        again = await fake_discord.click(fake_discord.messages[message.id], str(form), user=alice)
        assert (await again.wait_modal())["components"]


async def walk_until_form(fake: FakeDiscord, message_id: int, user: object) -> None:
    from tests.wizard_driver import answer_step

    for _ in range(5):
        message = fake.messages[message_id]
        if control(message, "open") is not None:
            return
        await answer_step(fake, message, user, s1_answers())  # type: ignore[arg-type]
    raise AssertionError("no form step reached")


async def test_resume_brings_the_case_back(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock):
        started = await fake_discord.slash("dispute start", user=alice, dm=True, options={"platform": "upwork"})
        await started.response()
        resumed = await fake_discord.slash("dispute resume", user=alice, dm=True)
        answer = await resumed.response()
        assert answer.data["flags"] & EPHEMERAL and answer.data["embeds"][0]["title"].startswith("Step 2 · ")
        choices = await (
            await fake_discord.autocomplete("dispute resume", focused="case", value="", user=alice, dm=True)
        ).choices()
        assert len(choices) == 1 and "Upwork" in choices[0]["name"]
        nobody = await fake_discord.slash("dispute resume", user=fake_discord.add_user("bob"), dm=True)
        assert "no unfinished case" in (await nobody.response()).data["content"]


async def test_control_ids_survive_as_plain_strings() -> None:
    assert str(ControlId(5, "answer", "platform=fiverr")) == "dd:5:answer:platform=fiverr"


async def test_clicks_waiting_only_on_discord_do_not_make_the_bot_acknowledge_first(tmp_path: Path) -> None:
    """With Discord's round trip (50 ms here), many handlers wait on replies already sent while the
    event loop idles: a click is still answered with the next step, in one request."""
    sellers = 30
    async with FakeDiscord(validate="deferred", interaction_deadline=PATIENCE_S, rest_delay_s=0.05) as fake:
        users = [fake.add_user(f"seller{n}") for n in range(sellers)]

        async def walk(n: int) -> None:
            await asyncio.sleep(n * 0.005)  # arriving through the round trip, not all at one instant
            started = await fake.slash("dispute start", user=users[n], dm=True)
            message = await started.message(timeout=PATIENCE_S)
            await walk_to_outcome(fake, message.id, users[n], s1_answers())

        bot = BotProcess(fake, tmp_path, LOG_LEVEL="WARNING")
        await bot.start()
        try:
            await asyncio.gather(*(walk(n) for n in range(sellers)))
        finally:
            await bot.stop()
        problems = fake.spec_problems
    assert problems == [], format_problems(problems)
    kinds = [r.json.get("type") for r in fake.requests if r.route.endswith("/callback") and r.json]
    assert len(kinds) >= sellers * 14  # every step of every walk was answered
    # Counting in-flight handlers alone, the bot acknowledged 282-284 of these 450 clicks first (two
    # requests each, and one more round trip before the step shows).
    deferred = [kind for kind in kinds if kind in (5, 6)]
    assert len(deferred) <= len(kinds) // 10, f"{len(deferred)} of {len(kinds)} acknowledged first"


async def test_a_busy_bot_acknowledges_first_and_edits_after(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    """Past the acknowledgement budget every step is deferred, then the message is edited."""

    def no_budget(bot: DisputeBot) -> None:
        fixed_clock(bot)
        bot.acknowledge_after_s = 0.0

    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path, prepare=no_budget):
        started = await fake_discord.slash("dispute start", user=alice, dm=True)
        acknowledged = await started.response()
        assert acknowledged.type == 5 and acknowledged.data["flags"] & EPHEMERAL
        message = await started.message()
        assert message.embeds[0]["title"].startswith("Step 1 · ")
        outcome = await walk_to_outcome(fake_discord, message.id, alice, s1_answers())
        kinds = {r.json.get("type") for r in fake_discord.requests if r.route.endswith("/callback") and r.json}
        assert kinds <= {5, 6, 9}, kinds
        opened = await fake_discord.select(outcome, str(control(outcome, "draft")), ["support_summary"], user=alice)
        assert (await opened.response()).type == 5
        shown = await opened.message()
        assert shown.files and shown.files[0].text.strip() == cli_drafts("neutral")["support_summary"].strip()
