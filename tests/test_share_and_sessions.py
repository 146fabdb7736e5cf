"""Share posts only a stored preview, once; a session changed elsewhere is read afresh (items 5, 9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.client import DisputeBot
from bot.disputes.engine.flow import load_flow
from bot.disputes.wizard.custom_ids import ControlId
from bot.disputes.wizard.service import WizardService
from bot.storage import Database
from bot.storage.dispute_sessions import StaleSession
from tests.deskbot import desk_bot
from tests.fakediscord import FakeDiscord
from tests.s1 import S1_NOW, s1_answers
from tests.wizard_driver import control, controls, walk_to_outcome

pytestmark = pytest.mark.timeout(120)


def fixed_clock(bot: DisputeBot) -> None:
    bot.clock = lambda: S1_NOW


def channel_posts(fake: FakeDiscord) -> int:
    return len([r for r in fake.requests if r.route == "/channels/{channel_id}/messages"])


async def test_share_posts_only_a_previewed_text_and_only_once(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    guild = fake_discord.add_guild("Freelancers")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock):
        started = await fake_discord.slash("dispute start", user=alice, guild=guild)
        await started.response()
        message = await started.message()
        outcome = await walk_to_outcome(fake_discord, message.id, alice, s1_answers())
        share = control(outcome, "share")
        assert share is not None
        # A forged "Post it" on the outcome message, with no preview ever shown.
        forged = str(ControlId(share.session_id, "share_ok"))
        outcome.component(str(share))["custom_id"] = forged
        refused = []
        for _ in range(5):
            clicked = await fake_discord.click(outcome, forged, user=alice)
            answer = await clicked.response()
            refused.append(answer.data["content"])
        assert all("Share for feedback** first" in text for text in refused)
        assert channel_posts(fake_discord) == 0
        # The real way: preview, then post what was previewed; a second click does not post again.
        outcome.component(forged)["custom_id"] = str(share)
        preview = await fake_discord.click(outcome, str(share), user=alice)
        previewed = (await preview.response()).data["content"].split(">>> ", 1)[1]
        shown = await preview.message()
        ok = str(control(shown, "share_ok"))
        await (await fake_discord.click(shown, ok, user=alice)).response()
        assert channel_posts(fake_discord) == 1
        # The post removed the buttons; a client replaying the click still gets nothing posted.
        outcome.component(str(share))["custom_id"] = forged
        again = await (await fake_discord.click(outcome, forged, user=alice)).response()
        assert "first" in again.data["content"]
        assert channel_posts(fake_discord) == 1
        posted = next(r for r in fake_discord.requests if r.route == "/channels/{channel_id}/messages")
        assert posted.json["content"].endswith(previewed)


async def test_a_session_saved_by_another_process_is_read_afresh(tmp_path: Path) -> None:
    flow = load_flow()
    async with await Database.open(tmp_path / "db.sqlite3") as db_a, await Database.open(
        tmp_path / "db.sqlite3"
    ) as db_b:
        await db_a.migrate()
        first, second = WizardService(db_a, flow), WizardService(db_b, flow)
        state = await first.start(1, {}, S1_NOW)
        answers = s1_answers()
        other = await second.load(state.id, 1)
        await second.answer(other, {"platform": str(answers["platform"])}, S1_NOW)  # the other process
        cached = await first.load(state.id, 1)
        with pytest.raises(StaleSession):
            await first.answer(cached, {"platform": str(answers["platform"])}, S1_NOW)
        # The stale copy was dropped: the next click works on what is stored.
        fresh = await first.load(state.id, 1)
        assert fresh.stored.revision == other.stored.revision + 1
        moved = await first.back(fresh, S1_NOW)
        assert moved.stored.revision == fresh.stored.revision + 1


async def test_share_preview_lists_what_was_kept_and_can_be_edited(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    guild = fake_discord.add_guild("Freelancers")
    words = "Hi, this is John Smith from Acme Ltd. Bob Lee here too. Pay me at paypal.me/jsmith"
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock):
        started = await fake_discord.slash("dispute start", user=alice, guild=guild)
        await started.response()
        message = await started.message()
        outcome = await walk_to_outcome(fake_discord, message.id, alice, {**s1_answers(), "buyer_message": words})
        share = control(outcome, "share")
        assert share is not None
        preview = await fake_discord.click(outcome, str(share), user=alice)
        shown_text = (await preview.response()).data["content"]
        summary = shown_text.split(">>> ", 1)[0]
        assert "Removed:" in summary and "Not removed, check these:" in summary and "“Bob Lee”" in summary
        assert "names removed" not in shown_text
        for leak in ("John", "Smith", "Acme", "paypal.me", "jsmith"):
            assert leak not in shown_text
        shown = await preview.message()
        edit = await fake_discord.click(shown, str(control(shown, "share_edit")), user=alice)
        modal = await edit.wait_modal()
        assert "Bob Lee" in modal["components"][0]["component"]["value"]
        submitted = await fake_discord.submit_modal(edit, {"text": "A buyer wants a refund after 5 revisions."})
        again = (await submitted.response()).data
        assert ">>> A buyer wants a refund after 5 revisions." in again["content"]
        reshown = fake_discord.messages[shown.id]
        await (await fake_discord.click(reshown, str(control(reshown, "share_ok")), user=alice)).response()
    posted = [r.json["content"] for r in fake_discord.requests if r.route == "/channels/{channel_id}/messages"]
    assert len(posted) == 1 and posted[0].endswith(">>> A buyer wants a refund after 5 revisions.")


async def test_a_click_on_a_case_changed_elsewhere_shows_the_latest_state(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock):
        started = await fake_discord.slash("dispute start", user=alice, dm=True)
        await started.response()
        message = await started.message()
        first = next(c for c in controls(message) if c.action == "pick" and c.argument == "platform")
        # Another process (same database file) answers the first question meanwhile.
        async with await Database.open(tmp_path / "desk.sqlite3") as other_db:
            other = WizardService(other_db, load_flow())
            state = await other.load(first.session_id, alice.id)
            await other.answer(state, {"platform": str(s1_answers()["platform"])}, S1_NOW)
        platform = str(s1_answers()["platform"])
        clicked = await fake_discord.select(message, str(first), [platform], user=alice)
        await clicked.response()
        shown = fake_discord.messages[message.id]
        assert "already answered" in (shown.content or "")
        assert control(shown, "pick", "platform") is None  # the next question is shown
        # And the case goes on from there: the next click works.
        outcome = await walk_to_outcome(fake_discord, message.id, alice, s1_answers())
        assert control(outcome, "draft") is not None
