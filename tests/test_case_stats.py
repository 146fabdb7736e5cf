"""/dispute stats: how cases ended in a server, every group under 5 cases hidden (storage + e2e)."""

from __future__ import annotations

from pathlib import Path

from bot.disputes.cases.service import CaseService
from bot.disputes.cases.stats import MIN_GROUP
from bot.disputes.engine.flow import load_flow
from bot.disputes.wizard.service import WizardService
from bot.storage import Database
from bot.storage.scheduled_jobs import JobRepository
from tests.deskbot import desk_bot
from tests.fakediscord import FakeDiscord
from tests.s1 import S1_NOW, s1_answers
from tests.wizard_driver import walk_to_outcome

GUILD = 111_111_111_111_111_111
EPHEMERAL = 1 << 6


async def add_ended_cases(
    wizard: WizardService, count: int, result: str, *, platform: str = "fiverr", guild_id: int | None = GUILD
) -> None:
    prefill = {"platform": platform, "dispute_type": "cancellation_after_delivery"}
    for n in range(count):
        state = await wizard.start(1000 + n, prefill, S1_NOW, guild_id=guild_id)
        assert await wizard.sessions.set_result(state.id, state.user_id, result, None, S1_NOW)


async def test_a_group_of_4_is_hidden_and_a_group_of_5_is_shown(db: Database) -> None:
    assert MIN_GROUP == 5
    wizard = WizardService(db, load_flow())
    cases = CaseService(wizard, JobRepository(db))
    await add_ended_cases(wizard, 3, "completed")
    await add_ended_cases(wizard, 1, "cancelled")  # 4 Fiverr cases: hidden
    await add_ended_cases(wizard, 4, "escalated", platform="upwork")
    await add_ended_cases(wizard, 9, "completed", platform="upwork", guild_id=None)  # DMs: never counted
    await add_ended_cases(wizard, 9, "still_open")  # not ended
    four = await cases.server_outcomes(GUILD)
    assert four.empty and four.hidden_cases == 8
    await add_ended_cases(wizard, 1, "partial_refund")  # the fifth Fiverr case
    five = await cases.server_outcomes(GUILD)
    (group,) = five.groups
    assert (group.platform, group.total, five.hidden_cases) == ("Fiverr", 5, 4)
    assert group.results == (("completed", 3), ("partial_refund", 1), ("cancelled", 1))
    assert group.share(3) == 0.6
    assert (await cases.server_outcomes(GUILD + 1)).empty


async def test_dispute_stats_in_a_server(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    fake, alice = fake_discord, fake_discord.add_user("alice")
    guild = fake.add_guild("Freelancers")
    async with desk_bot(fake, tmp_path) as bot:
        wizard = WizardService(bot.db, load_flow())
        await add_ended_cases(wizard, 5, "completed", guild_id=guild.id)
        await add_ended_cases(wizard, 4, "escalated", platform="upwork", guild_id=guild.id)
        shown = await (await fake.slash("dispute stats", user=alice, guild=guild)).response()
        assert shown.data["flags"] & EPHEMERAL
        (embed,) = shown.data["embeds"]
        (field,) = embed["fields"]
        assert field["name"].endswith("· Fiverr (5 cases)") and field["value"] == "Completed: paid in full: 5 (100%)"
        assert "fewer than 5 cases are not shown" in embed["description"] and "(4 cases are in such groups)" in (
            embed["description"]
        )
        refused = await (await fake.slash("dispute stats", user=alice, dm=True)).response()
        assert refused.data["flags"] & EPHEMERAL
        assert refused.data["content"] == "`/dispute stats` works in a server where Dispute Desk is installed."
        starting = await fake.slash("dispute start", user=alice, guild=guild)
        assert (await starting.response()).type == 4
        row = await bot.db.fetch_one("SELECT guild_id FROM dispute_sessions ORDER BY id DESC LIMIT 1")
        assert row is not None and row[0] == guild.id
        # An outcome of the same type and platform in this server: one line from the 5 cases.
        outcome = await walk_to_outcome(fake, (await starting.message()).id, alice, s1_answers())
        assert outcome.content == "-# In this server, 5 of 5 Fiverr cases of this type ended: Completed: paid in full."
        elsewhere = await fake.slash("dispute start", user=alice, dm=True)
        await elsewhere.response()
        in_dm = await walk_to_outcome(fake, (await elsewhere.message()).id, alice, s1_answers())
        assert not in_dm.content  # no server, no line
        foreign = fake.add_guild("Only a user install here", bot_member=False)
        await (await fake.slash("dispute start", user=alice, guild=foreign)).response()
        row = await bot.db.fetch_one("SELECT guild_id FROM dispute_sessions ORDER BY id DESC LIMIT 1")
        assert row is not None and row[0] is None  # not counted for a server that did not install the bot
