"""Reminders and /dispute cases end to end: real discord.py, the fake Discord, a controllable clock.

The bot is stopped and started again on the same database (two in-process bots, one after the
other, each with its own clock), so a reminder set by the first is sent by the second.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.client import DisputeBot
from bot.disputes.wizard.custom_ids import ControlId, parse_control_id
from bot.storage import Database
from bot.storage.database import to_timestamp
from tests.botprocess import BotProcess
from tests.deskbot import desk_bot, desk_settings
from tests.fakediscord import PATIENCE_S, FakeDiscord, FakeMessage, FakeUser
from tests.s1 import S1_NOW, s1_answers
from tests.wizard_driver import control, walk_to_outcome

pytestmark = pytest.mark.timeout(120)
EPHEMERAL = 1 << 6
DEADLINE = datetime.fromisoformat("2026-11-29T06:00:00+00:00")  # S1: answer the cancellation request
DEADLINE_LABEL = "Answer the cancellation request"


def at(moment: datetime) -> Callable[[DisputeBot], None]:
    def prepare(bot: DisputeBot) -> None:
        bot.clock = lambda: moment

    return prepare


def dms(fake: FakeDiscord, user: FakeUser) -> list[FakeMessage]:
    """Messages the bot sent to the user's DM on its own (not answers to interactions there)."""
    channel = fake.dm_channels.get(user.id)
    return [
        m for m in fake.bot_messages() if channel is not None and m.channel_id == channel.id and m.source == "channel"
    ]


def find(message: FakeMessage, action: str, argument: str | None = None) -> str:
    for custom_id in message.custom_ids():
        parsed = parse_control_id(custom_id)
        if parsed and parsed.action == action and (argument is None or parsed.argument == argument):
            return custom_id
    raise AssertionError(f"no {action} control in {message.custom_ids()}")


async def ticks(bot: DisputeBot, count: int) -> None:
    """Wait until the scheduler has ticked ``count`` times (it ticks at once on start)."""
    scheduler = bot.scheduler
    async with scheduler.ticked:
        await asyncio.wait_for(scheduler.ticked.wait_for(lambda: scheduler.ticks >= count), PATIENCE_S)


async def outcome_of_s1(fake: FakeDiscord, user: FakeUser) -> FakeMessage:
    started = await fake.slash("dispute start", user=user, dm=True)
    await started.response()
    message = await started.message()
    return await walk_to_outcome(fake, message.id, user, s1_answers())


async def open_picker(fake: FakeDiscord, outcome: FakeMessage, user: FakeUser) -> FakeMessage:
    remind = await fake.click(outcome, find(outcome, "remind"), user=user)
    answer = await remind.response()
    assert answer.type == 4 and answer.data["flags"] & EPHEMERAL
    assert DEADLINE_LABEL in answer.data["content"]
    return await remind.message()


async def test_a_reminder_set_before_a_restart_is_sent_once_late_with_a_working_button(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake, alice = fake_discord, fake_discord.add_user("alice")
    async with desk_bot(fake, tmp_path, prepare=at(S1_NOW)):
        outcome = await outcome_of_s1(fake, alice)
        picker = await open_picker(fake, outcome, alice)
        chosen = await fake.click(picker, find(picker, "remind_set", "0=6h"), user=alice)
        answer = await chosen.response()
        remind_at = DEADLINE - timedelta(hours=6)
        assert answer.type == 7 and "Reminder set" in answer.data["content"]
        assert f"<t:{int(remind_at.timestamp())}:f>" in answer.data["content"]
        (confirmation,) = dms(fake, alice)
        assert "I'll remind you here" in confirmation.content
    # Down while it fell due; back two hours later, four hours before the deadline itself.
    back = remind_at + timedelta(hours=2)
    async with desk_bot(fake, tmp_path, prepare=at(back)) as bot:
        await fake.wait_for(lambda: len(dms(fake, alice)) == 2, what="the reminder DM")
        reminder = dms(fake, alice)[1]
        assert DEADLINE_LABEL in reminder.content
        assert f"<t:{int(DEADLINE.timestamp())}:R>" in reminder.content
        assert "What to do: Decline the cancellation" in reminder.content
        assert f"This was due at <t:{int(remind_at.timestamp())}:f>" in reminder.content
        # Sent once: further ticks (this process or a later one) send nothing more.
        await ticks(bot, 1)
        await bot.scheduler.tick(back + timedelta(minutes=10))
        assert len(dms(fake, alice)) == 2
        (state,) = await bot.db.fetch_all("SELECT state FROM scheduled_jobs WHERE kind = 'reminder'")
        assert state[0] == "done"
        opened = await fake.click(reminder, find(reminder, "show"), user=alice)
        shown = await opened.response()
        assert shown.data["flags"] & EPHEMERAL
        assert shown.data["embeds"][0]["title"].startswith("Fiverr")


async def test_a_reminder_whose_deadline_passed_while_down_is_dropped_with_a_log_line(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake, alice = fake_discord, fake_discord.add_user("alice")
    async with desk_bot(fake, tmp_path, prepare=at(S1_NOW)):
        outcome = await outcome_of_s1(fake, alice)
        picker = await open_picker(fake, outcome, alice)
        await (await fake.click(picker, find(picker, "remind_set", "0=1h"), user=alice)).response()
        assert len(dms(fake, alice)) == 1
    with caplog.at_level(logging.INFO, logger="cogs.dispute._cog"):
        async with desk_bot(fake, tmp_path, prepare=at(DEADLINE + timedelta(minutes=5))) as bot:
            await ticks(bot, 1)
            (row,) = await bot.db.fetch_all("SELECT id, state FROM scheduled_jobs WHERE kind = 'reminder'")
    assert row["state"] == "cancelled"
    assert len(dms(fake, alice)) == 1  # the confirmation only
    assert f"reminder {row['id']} dropped: its deadline passed at 2026-11-29T06:00" in caplog.text


async def test_closed_dms_are_told_when_setting_the_reminder(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    fake, alice = fake_discord, fake_discord.add_user("alice")
    alice.accepts_dms = False
    async with desk_bot(fake, tmp_path, prepare=at(S1_NOW)) as bot:
        outcome = await outcome_of_s1(fake, alice)
        picker = await open_picker(fake, outcome, alice)
        refused = await (await fake.click(picker, find(picker, "remind_set", "0=6h"), user=alice)).response()
        assert refused.type == 4 and refused.data["flags"] & EPHEMERAL
        assert refused.data["content"].startswith("I can't send you direct messages, so no reminder was set")
        assert [r.status for r in fake.requests_to("POST", "/channels/{channel_id}/messages")] == [403]
        (state,) = await bot.db.fetch_all("SELECT state FROM scheduled_jobs WHERE kind = 'reminder'")
        assert state[0] == "cancelled"  # nothing will fail silently later


async def test_a_typed_time_and_its_limits(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    fake, alice = fake_discord, fake_discord.add_user("alice")
    async with desk_bot(fake, tmp_path, prepare=at(S1_NOW)) as bot:
        outcome = await outcome_of_s1(fake, alice)
        picker = await open_picker(fake, outcome, alice)
        for typed, expected in (
            ("next year", "is not a date-time"),
            ("30 hours ago", "That time has passed already"),
            ("in 2 days", "That is not before the deadline"),
        ):
            opening = await fake.click(picker, find(picker, "remind_typed", "0"), user=alice)
            await opening.wait_modal()
            refused = await (await fake.submit_modal(opening, {"when": typed})).response()
            assert refused.data["flags"] & EPHEMERAL and expected in refused.data["content"], typed
        opening = await fake.click(picker, find(picker, "remind_typed", "0"), user=alice)
        await opening.wait_modal()
        done = await (await fake.submit_modal(opening, {"when": "2 h before"})).response()
        assert done.type == 7 and "Reminder set" in done.data["content"]
        pending = "SELECT due_at FROM scheduled_jobs WHERE state = 'pending' AND kind = 'reminder'"
        (row,) = await bot.db.fetch_all(pending)
        assert row[0] == "2026-11-29T04:00:00.000Z"


async def test_cases_list_open_close_with_a_result_and_cancel_a_reminder(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake, alice, bob = fake_discord, fake_discord.add_user("alice"), fake_discord.add_user("bob")
    async with desk_bot(fake, tmp_path, prepare=at(S1_NOW)) as bot:
        outcome = await outcome_of_s1(fake, alice)
        picker = await open_picker(fake, outcome, alice)
        await (await fake.click(picker, find(picker, "remind_set", "0=6h"), user=alice)).response()
        listed = await fake.slash("dispute cases", user=alice, dm=True)
        shown = await listed.response()
        assert shown.data["flags"] & EPHEMERAL
        description = shown.data["embeds"][0]["description"]
        assert "**Open**" in description and "Fiverr" in description and "1,500" in description
        assert f"<t:{int(DEADLINE.timestamp())}:R>" in description
        nothing = await (await fake.slash("dispute cases", user=bob, dm=True)).response()
        assert nothing.data["content"].startswith("You have no cases yet")

        cases = await listed.message()
        session_id = control(outcome, "remind")
        assert isinstance(session_id, ControlId)
        page = await fake.select(cases, find(cases, "case"), [str(session_id.session_id)], user=alice)
        assert (await page.response()).type == 7
        case = fake.messages[cases.id]
        assert "**Reminders**" in case.embeds[0]["description"]
        # Someone else cannot open it: the list's select carries no case id, the case is looked up as theirs.
        foreign = await (await fake.select(cases, find(case, "result"), ["completed"], user=bob)).response()
        assert foreign.data["flags"] & EPHEMERAL and "no longer here" in foreign.data["content"]

        unremind = find(case, "unremind")
        (option,) = case.component(unremind)["options"]
        cancelled = await (await fake.select(case, unremind, [option["value"]], user=alice)).response()
        assert cancelled.type == 7 and "cancelled" in cancelled.data["content"]
        assert "**Reminders**" not in fake.messages[cases.id].embeds[0]["description"]

        case = fake.messages[cases.id]
        asking = await fake.select(case, find(case, "result"), ["partial_refund"], user=alice)
        await asking.wait_modal()
        bad = await (await fake.submit_modal(asking, {"amount": "lots"})).response()
        assert bad.data["flags"] & EPHEMERAL and "is not an amount" in bad.data["content"]
        asking = await fake.select(case, find(case, "result"), ["partial_refund"], user=alice)
        await asking.wait_modal()
        saved = await (await fake.submit_modal(asking, {"amount": "200 USD"})).response()
        assert saved.type == 7 and "Result saved" in saved.data["content"]
        row = await bot.db.fetch_one("SELECT result, result_amount, closed_at FROM dispute_sessions")
        assert row is not None and tuple(row) == ("partial_refund", "200.00 USD", "2026-11-28T12:00:00.000Z")
        back = await fake.click(fake.messages[cases.id], find(fake.messages[cases.id], "cases"), user=alice)
        listing = (await back.response()).data["embeds"][0]["description"]
        assert "**Finished**" in listing and "Partial refund (200.00 USD)" in listing


async def test_sigkilled_with_a_reminder_set_the_restarted_process_sends_it_once(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    """A real bot process (its clock is the machine's): the case's dates are set relative to now, and
    the reminder's time is moved into the past while the process is dead, as if it slept through it."""
    fake, alice = fake_discord, fake_discord.add_user("alice")
    now = datetime.now(UTC).replace(microsecond=0)
    answers = {
        **s1_answers(),
        "delivered_at": (now - timedelta(days=10)).isoformat(),
        "request_received_at": (now - timedelta(hours=30)).isoformat(),  # Fiverr gives 48 h: 18 h left
    }
    process = BotProcess(fake, tmp_path)
    await process.start()
    try:
        started = await fake.slash("dispute start", user=alice, dm=True)
        await started.response()
        outcome = await walk_to_outcome(fake, (await started.message()).id, alice, answers)
        picker = await open_picker(fake, outcome, alice)
        assert (await (await fake.click(picker, find(picker, "remind_set", "0=6h"), user=alice)).response()).type == 7
        assert len(dms(fake, alice)) == 1  # the confirmation
        await process.kill()
        slept_through = now - timedelta(minutes=30)
        with sqlite3.connect(tmp_path / "desk.sqlite3") as db:
            db.execute("UPDATE scheduled_jobs SET due_at = ? WHERE kind = 'reminder'", (to_timestamp(slept_through),))
        await process.start()
        await fake.wait_for(lambda: len(dms(fake, alice)) == 2, what="the reminder DM after the restart")
        reminder = dms(fake, alice)[1]
        opened = await (await fake.click(reminder, find(reminder, "show"), user=alice)).response()
        assert opened.data["flags"] & EPHEMERAL and opened.data["embeds"][0]["title"].startswith("Fiverr")
    finally:
        assert await process.stop() == 0  # a clean stop waits for the tick in progress
    reminder = dms(fake, alice)[1]
    assert DEADLINE_LABEL in reminder.content and f"This was due at <t:{int(slept_through.timestamp())}:f>" in (
        reminder.content
    )
    assert len(dms(fake, alice)) == 2
    with sqlite3.connect(tmp_path / "desk.sqlite3") as db:
        sent = db.execute("SELECT state, attempts FROM scheduled_jobs WHERE kind = 'reminder'").fetchall()
    assert sent == [("done", 1)]


async def test_two_bots_on_one_database_send_each_due_reminder_exactly_once(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    """Two bots, each with its own connection to the file and its own scheduler, both due to send the
    same 40 reminders at the same moment: every reminder arrives once."""
    fake, alice = fake_discord, fake_discord.add_user("alice")
    later = DEADLINE - timedelta(hours=2)
    clock = [S1_NOW]
    async with desk_bot(fake, tmp_path, prepare=lambda bot: setattr(bot, "clock", lambda: clock[0])) as first:
        outcome = await outcome_of_s1(fake, alice)
        picker = await open_picker(fake, outcome, alice)
        await (await fake.click(picker, find(picker, "remind_set", "0=6h"), user=alice)).response()
        template = await first.db.fetch_one(
            "SELECT kind, payload, due_at, user_id, session_id FROM scheduled_jobs WHERE kind = 'reminder'"
        )
        assert template is not None
        for _ in range(39):
            await first.db.execute(
                "INSERT INTO scheduled_jobs (kind, payload, due_at, user_id, session_id) VALUES (?, ?, ?, ?, ?)",
                tuple(template),
            )
        settings = desk_settings(fake, tmp_path)
        async with await Database.open(settings.database_path) as own_connection:
            second = DisputeBot(settings, own_connection, sync_policy="never")
            second.clock = lambda: clock[0]
            async with second:
                await second.login(fake.token)  # REST only: enough to send DMs
                for bot in (first, second):
                    bot.scheduler.claim_limit = 3  # many small claims, so the two interleave
                clock[0] = later
                first.scheduler.wake()
                second.scheduler.wake()
                await fake.wait_for(lambda: len(dms(fake, alice)) >= 41, what="40 reminders")
    # Both bots have stopped (each after its tick in progress): nothing more was sent, all are done.
    reminders = dms(fake, alice)[1:]
    assert len(reminders) == 40
    with sqlite3.connect(tmp_path / "desk.sqlite3") as db:
        states = db.execute("SELECT state, attempts, claimed_by FROM scheduled_jobs WHERE kind = 'reminder'").fetchall()
    assert {(state, attempts) for state, attempts, _ in states} == {("done", 1)}
    assert {worker for _, _, worker in states} <= {first.scheduler.worker, second.scheduler.worker}


async def test_how_did_it_end_is_asked_once_after_the_deadline_and_can_be_switched_off(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake, alice, bob = fake_discord, fake_discord.add_user("alice"), fake_discord.add_user("bob")
    async with desk_bot(fake, tmp_path, prepare=at(S1_NOW)) as bot:
        await outcome_of_s1(fake, alice)
        await outcome_of_s1(fake, bob)
        rows = await bot.db.fetch_all("SELECT user_id, due_at FROM scheduled_jobs WHERE kind = 'result_prompt'")
        assert sorted(tuple(r) for r in rows) == sorted(
            (user.id, "2026-12-02T06:00:00.000Z") for user in (alice, bob)
        )  # three days after the deadline, once per case however often the outcome is shown
    async with desk_bot(fake, tmp_path, prepare=at(DEADLINE + timedelta(days=3, hours=1))) as bot:
        await fake.wait_for(lambda: dms(fake, alice) and dms(fake, bob), what="both questions")
        (question,) = dms(fake, alice)
        assert question.content.startswith("How did case #") and "Fiverr" in question.content
        answered = await fake.select(question, find(question, "result"), ["completed"], user=alice)
        assert (await answered.response()).type == 7
        row = await bot.db.fetch_one("SELECT result FROM dispute_sessions WHERE user_id = ?", (alice.id,))
        assert row is not None and row[0] == "completed"
        (other,) = dms(fake, bob)
        stop = await (await fake.click(other, find(other, "no_prompts"), user=bob)).response()
        assert stop.type == 7 and "won't ask" in stop.data["content"]
        await outcome_of_s1(fake, bob)  # a new case: no question scheduled for bob any more
        (count,) = await bot.db.fetch_one(  # type: ignore[misc]
            "SELECT COUNT(*) FROM scheduled_jobs WHERE kind = 'result_prompt' AND user_id = ? AND state = 'pending'",
            (bob.id,),
        )
        assert count == 0


async def test_a_case_duplicated_from_cases_keeps_the_order_but_asks_the_dates_again(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake, alice = fake_discord, fake_discord.add_user("alice")
    async with desk_bot(fake, tmp_path, prepare=at(S1_NOW)) as bot:
        outcome = await outcome_of_s1(fake, alice)
        remind = control(outcome, "remind")
        assert remind is not None
        listed = await fake.slash("dispute cases", user=alice, dm=True)
        await listed.response()
        cases = await listed.message()
        await (await fake.select(cases, find(cases, "case"), [str(remind.session_id)], user=alice)).response()
        copied = await fake.click(fake.messages[cases.id], find(fake.messages[cases.id], "duplicate"), user=alice)
        first = await copied.response()
        assert first.type == 4 and first.data["flags"] & EPHEMERAL
        rows = await bot.db.fetch_all("SELECT id, state FROM dispute_sessions ORDER BY id")
        assert len(rows) == 2
        answers = json.loads(rows[1]["state"])["engine"]["answers"]
        assert answers["platform"] == "fiverr" and answers["order_value"] == 1500
        assert "request_received_at" not in answers and "buyer_message" not in answers
        new_outcome = await walk_to_outcome(fake, (await copied.message()).id, alice, s1_answers())
        assert control(new_outcome, "draft") is not None
