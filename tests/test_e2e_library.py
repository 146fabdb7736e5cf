"""The server library end to end: real discord.py against the fake Discord (issue 14's acceptance list)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.client import DisputeBot
from bot.replies.library_controls import SCHEME
from bot.storage.server_settings import ServerSettingsRepository
from bot.storage.server_templates import ServerTemplateRepository
from tests.deskbot import desk_bot
from tests.fakediscord import FakeDiscord, FakeMessage, SimulatedInteraction
from tests.fakediscord._model import RecordedFile
from tests.s1 import S1_NOW, s1_answers
from tests.wizard_driver import control, walk_to_outcome

pytestmark = pytest.mark.timeout(180)
EPHEMERAL = 1 << 6
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LATE = {
    "name": "late-payment",
    "title": "Late payment reminder",
    "category": "payments",
    "body": "Hi {{ buyer_name }}, a friendly reminder that the invoice is now due.",
}


def fixed_clock(bot: DisputeBot) -> None:
    bot.clock = lambda: NOW


def lb(message: FakeMessage, action: str) -> str:
    for custom_id in message.custom_ids():
        parsed = SCHEME.parse(custom_id)
        if parsed is not None and parsed[1] == action:
            return custom_id
    raise AssertionError(f"no {action!r} control on message {message.id}: {message.custom_ids()}")


async def answer_text(interaction: SimulatedInteraction) -> str:
    answer = await interaction.response()
    assert answer.data.get("flags", 0) & EPHEMERAL, answer.data
    return str(answer.data.get("content") or "")


async def form(fake: FakeDiscord, opened: SimulatedInteraction, values: dict[str, str]) -> SimulatedInteraction:
    modal = await opened.wait_modal()
    fields = {row["component"]["custom_id"]: row["component"] for row in modal["components"] if "component" in row}
    return await fake.submit_modal(opened, {key: values.get(key, fields[key].get("value") or "") for key in fields})


async def library_rows(bot: DisputeBot, guild_id: int) -> list[tuple[str, str, str, str, int]]:
    stored = await ServerTemplateRepository(bot.db).list_all(guild_id)
    return [(s.name, s.template.title, s.template.category, s.template.body, s.version) for s in stored]


async def test_a_curator_creates_edits_rolls_back_and_deletes(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    cora = fake_discord.add_user("cora")
    guild = fake_discord.add_guild("Sellers", owner=cora)  # the owner has Manage Server
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        added = await form(fake_discord, await fake_discord.slash("library add", user=cora, guild=guild), LATE)
        added_text = await answer_text(added)
        assert "Added server template `late-payment` (version 1)" in added_text
        # The curator sees what members will get, rendered with sample values in the sandbox.
        assert "With sample values it reads:\n```\nHi Sam, a friendly reminder that the invoice" in added_text
        opened = await fake_discord.slash("library edit", user=cora, guild=guild, options={"template": "late-payment"})
        edited = await form(fake_discord, opened, {"body": "Hello {{ buyer_name }}, the invoice is overdue."})
        assert "(version 2)" in await answer_text(edited)
        rolled = await fake_discord.slash(
            "library rollback", user=cora, guild=guild, options={"template": "late-payment", "version": 1}
        )
        assert "Rolled back to version 1" in await answer_text(rolled)
        assert (await library_rows(bot, guild.id))[0][3:] == (LATE["body"], 3)
        history = await fake_discord.slash(
            "library history", user=cora, guild=guild, options={"template": "late-payment"}
        )
        text = await answer_text(history)
        assert "v1 · create" in text and "v2 · edit" in text and "v3 · rollback" in text
        diff = await fake_discord.slash(
            "library diff", user=cora, guild=guild, options={"template": "late-payment", "old": 1, "new": 2}
        )
        assert "+Hello {{ buyer_name }}, the invoice is overdue." in await answer_text(diff)
        asked = await fake_discord.slash("library delete", user=cora, guild=guild, options={"template": "late-payment"})
        await asked.response()
        confirm = await asked.message()
        deleted = await fake_discord.click(confirm, lb(confirm, "delete"), user=cora)
        assert "Deleted server template `late-payment`" in (await deleted.response()).data["content"]
        assert await library_rows(bot, guild.id) == []


async def test_two_curators_editing_at_once_merge_or_overwrite(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    cora = fake_discord.add_user("cora")
    guild = fake_discord.add_guild("Sellers", owner=cora)
    dana = fake_discord.add_user("dana")
    curators = fake_discord.add_role(guild, "Template curators")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        await ServerSettingsRepository(bot.db).update(
            guild.id, updated_by=cora.id, now=NOW, curator_role_id=curators.id
        )
        await (
            await form(fake_discord, await fake_discord.slash("library add", user=cora, guild=guild), LATE)
        ).response()
        first = await fake_discord.slash("library edit", user=cora, guild=guild, options={"template": "late-payment"})
        second = await fake_discord.slash(
            "library edit", user=dana, guild=guild, roles=[curators], options={"template": "late-payment"}
        )
        assert "(version 2)" in await answer_text(await form(fake_discord, first, {"body": "Cora's text."}))
        late = await form(fake_discord, second, {"body": "Dana's text."})
        conflict = await late.response()
        assert "was changed by someone else" in conflict.data["content"]
        assert "-Cora's text." in conflict.data["content"] and "+Dana's text." in conflict.data["content"]
        assert (await library_rows(bot, guild.id))[0][3:] == ("Cora's text.", 2)  # nothing of Dana's saved yet
        shown = await late.message()
        overwrite = await fake_discord.click(shown, lb(shown, "overwrite"), user=dana, roles=[curators])
        assert "(version 3)" in (await overwrite.response()).data["content"]
        versions = await ServerTemplateRepository(bot.db).history(guild.id, (await library_rows_ids(bot, guild.id))[0])
        assert [v.body for v in versions] == [LATE["body"], "Cora's text.", "Dana's text."]


async def library_rows_ids(bot: DisputeBot, guild_id: int) -> list[int]:
    return [s.id for s in await ServerTemplateRepository(bot.db).list_all(guild_id)]


async def test_a_non_curator_is_refused_privately_and_nothing_changes(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    cora = fake_discord.add_user("cora")
    mel = fake_discord.add_user("mel")
    guild = fake_discord.add_guild("Sellers", owner=cora)
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        await (
            await form(fake_discord, await fake_discord.slash("library add", user=cora, guild=guild), LATE)
        ).response()
        before = await library_rows(bot, guild.id)
        command = fake_discord.find_command("library", guild=guild)
        assert command["default_member_permissions"] == str(1 << 5)  # hidden from members: Manage Server
        for name, options in (
            ("library add", {}),
            ("library edit", {"template": "late-payment"}),
            ("library delete", {"template": "late-payment"}),
            ("library rollback", {"template": "late-payment", "version": 1}),
            ("library export", {}),
            ("settings set", {"post_here": False}),
        ):
            refused = await fake_discord.slash(name, user=mel, guild=guild, options=options)
            answer = await refused.response()
            assert answer.type == 4 and answer.data["flags"] & EPHEMERAL, name
            assert "Only" in answer.data["content"] and "Manage Server" in answer.data["content"], name
        assert await library_rows(bot, guild.id) == before
        assert (await ServerSettingsRepository(bot.db).get(guild.id)).allow_post_here is True
        # A user-installed app in a server without the bot gets one clear line.
        foreign = fake_discord.add_guild("Elsewhere", bot_member=False, owner=mel)
        outside = await fake_discord.slash("library queue", user=mel, guild=foreign)
        assert "only in a server where Dispute Desk itself is installed" in await answer_text(outside)


async def test_a_suggestion_is_approved_and_used_and_a_rejection_reports_its_reason(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    cora = fake_discord.add_user("cora")
    mel = fake_discord.add_user("mel")
    sam = fake_discord.add_user("sam")
    sam.accepts_dms = False  # Sam is told on his next command instead
    guild = fake_discord.add_guild("Sellers", owner=cora)
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        thanks = {"name": "thanks-note", "title": "Thank-you note", "category": "wrap-up",
                  "body": "Thank you {{ buyer_name }}, it was a pleasure."}  # fmt: skip
        sent = await form(fake_discord, await fake_discord.slash("suggest", user=mel, guild=guild), thanks)
        assert "suggestion #1 (`thanks-note`) is with this server's curators" in await answer_text(sent)
        assert await library_rows(bot, guild.id) == []
        queue = await fake_discord.slash("library queue", user=cora, guild=guild)
        assert "#1 · a new template `thanks-note`" in await answer_text(queue)
        review = await fake_discord.slash("library review", user=cora, guild=guild, options={"suggestion": 1})
        shown = await review.response()
        assert "With sample values it reads:\n```\nThank you Sam, it was a pleasure." in shown.data["content"]
        assert "+Thank you {{ buyer_name }}" in shown.data["content"]  # the diff
        approved = await fake_discord.click(await review.message(), lb(await review.message(), "approve"), user=cora)
        assert "Approved" in (await approved.response()).data["content"]
        mel_dm = fake_discord.dm_channel(mel).id
        dm = await fake_discord.wait_for(
            lambda: [m for m in fake_discord.messages.values() if m.channel_id == mel_dm], what="a DM to the suggester"
        )
        assert "Your suggestion `thanks-note` was approved: it is in this server's library now" in dm[-1].content
        # Another member uses it in /reply, and finds it marked as the server's.
        found = await fake_discord.autocomplete("reply", user=sam, guild=guild, focused="template", value="thank")
        assert any(c["name"] == "server · Thank-you note · thanks-note" for c in await found.choices())
        used = await fake_discord.slash(
            "reply", user=sam, guild=guild, options={"template": "thanks-note", "buyer_name": "Jo"}
        )
        await used.response()  # answered at once, or acknowledged first when the host is busy
        reply = await used.message()
        filled = "Thank you Jo, it was a pleasure."
        await fake_discord.wait_for(
            lambda: filled in reply.content or any(filled in f.text for f in reply.files), what="the filled reply"
        )
        # Sam's suggestion is rejected with a reason; he hears it privately on his next command.
        pushy = {"name": "five-stars", "title": "Ask for five stars", "body": "Please leave five stars!"}
        await (await form(fake_discord, await fake_discord.slash("suggest", user=sam, guild=guild), pushy)).response()
        review = await fake_discord.slash("library review", user=cora, guild=guild, options={"suggestion": 2})
        await review.response()
        shown_message = await review.message()
        asked = await fake_discord.click(shown_message, lb(shown_message, "reject_ask"), user=cora)
        await asked.wait_modal()
        rejected = await fake_discord.submit_modal(asked, {"reason": "Platforms forbid asking for ratings"})
        assert "Rejected suggestion #2" in await answer_text(rejected)
        assert [name for name, *_ in await library_rows(bot, guild.id)] == ["thanks-note"]
        later = await fake_discord.slash("profile view", user=sam, guild=guild)
        await later.response()
        told = await later.wait_followups(1)
        assert told[0].ephemeral
        assert "`five-stars` was not accepted. Reason: Platforms forbid asking for ratings" in told[0].content
        assert told[0].allowed_mentions == {"parse": []}


async def test_an_export_imported_in_a_second_server_is_identical_and_a_bad_file_changes_nothing(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    cora = fake_discord.add_user("cora")
    first = fake_discord.add_guild("Sellers", owner=cora)
    second = fake_discord.add_guild("Sellers EU", owner=cora)
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        for typed in (
            LATE,
            {**LATE, "name": "deadline", "title": "Deadline moved", "body": "New date: {{ due_date }}"},
        ):
            await (
                await form(fake_discord, await fake_discord.slash("library add", user=cora, guild=first), typed)
            ).response()
        exported = await fake_discord.slash("library export", user=cora, guild=first)
        answer = await exported.response()
        assert "2 templates exported" in answer.data["content"]
        data = (await exported.message()).files[0].data
        upload = RecordedFile("files[0]", "server-library.json", "application/json", data)
        dry = await fake_discord.slash("library import", user=cora, guild=second, options={"file": upload})
        summary = await answer_text(dry)
        assert summary.startswith("Dry run: 2 added, 0 changed, 0 unchanged, 0 conflict")
        assert await library_rows(bot, second.id) == []
        shown = await dry.message()
        done = await fake_discord.click(shown, lb(shown, "import"), user=cora)
        assert "Imported: 2 templates written" in (await done.response()).data["content"]
        copy = [row[:4] for row in await library_rows(bot, second.id)]
        assert copy == [row[:4] for row in await library_rows(bot, first.id)]
        # Malformed and hostile files: refused with their first problem, the library unchanged.
        before = await library_rows(bot, second.id)
        hostile = json.loads(data)
        hostile["templates"][0]["body"] = "{{ cycler.__init__.__globals__.os }}"
        for content, problem in (
            (b"{not json", "not valid JSON"),
            (json.dumps(hostile).encode(), "template 1 (`deadline`): Body"),
            (b"[" * 50_000, "nested more than 6 levels"),
        ):
            bad = RecordedFile("files[0]", "bad.json", "application/json", content)
            refused = await fake_discord.slash("library import", user=cora, guild=second, options={"file": bad})
            text = await answer_text(refused)
            assert text.startswith("Nothing was imported:") and problem in text, text
        assert await library_rows(bot, second.id) == before


async def test_a_shared_case_lands_in_the_forum_channel_as_its_own_post(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake_discord.add_user("alice")
    cora = fake_discord.add_user("cora")
    guild = fake_discord.add_guild("Freelancers", owner=cora)
    forum = fake_discord.add_channel(guild, "case-feedback", type=15)

    def s1_clock(bot: DisputeBot) -> None:
        bot.clock = lambda: S1_NOW

    async with desk_bot(fake_discord, tmp_path, prepare=s1_clock):
        saved = await fake_discord.slash("settings set", user=cora, guild=guild, options={"feedback_channel": forum})
        assert "forum channel: each shared case its own post" in await answer_text(saved)
        shown = await answer_text(await fake_discord.slash("settings show", user=cora, guild=guild))
        assert "Post here** on quick replies: allowed" in shown and "Curator role: none" in shown
        started = await fake_discord.slash("dispute start", user=alice, guild=guild)
        await started.response()
        outcome = await walk_to_outcome(fake_discord, (await started.message()).id, alice, s1_answers())
        preview = await fake_discord.click(outcome, str(control(outcome, "share")), user=alice)
        await preview.response()
        preview_message = await preview.message()
        posted = await fake_discord.click(preview_message, str(control(preview_message, "share_ok")), user=alice)
        assert "as its own post" in (await posted.response()).data["content"]
        threads = [c for c in fake_discord.channels.values() if c.type == 11 and c.parent_id == forum.id]
        assert len(threads) == 1 and threads[0].name.startswith("Feedback wanted: case #")
        post = fake_discord.messages[threads[0].id]
        assert "A member asks for feedback on a case" in post.content
        assert post.allowed_mentions == {"parse": []}
        assert not [m for m in fake_discord.messages.values() if m.channel_id == guild.channel.id and not m.ephemeral]
        # Turning sharing off refuses it privately.
        await (await fake_discord.slash("settings set", user=cora, guild=guild, options={"share": False})).response()
        again = await fake_discord.click(outcome, str(control(outcome, "share")), user=alice)
        assert "turned **Share for feedback** off" in await answer_text(again)


async def test_a_member_suggests_a_personal_template_from_templates_mine(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    from bot.storage.reply_templates import ReplyTemplateRepository, TemplateRecord

    cora = fake_discord.add_user("cora")
    mel = fake_discord.add_user("mel")
    guild = fake_discord.add_guild("Sellers", owner=cora)
    foreign = fake_discord.add_guild("Elsewhere", bot_member=False, owner=mel)
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        mine = TemplateRecord("scope-creep", "Scope creep answer", "revisions", "",
                              "Hi {{ buyer_name }}, that is outside the order; I can quote it separately.")  # fmt: skip
        await ReplyTemplateRepository(bot.db).create("user", mel.id, mine)
        shown = await fake_discord.slash("templates mine show", user=mel, guild=guild,
                                         options={"template": "scope-creep"})  # fmt: skip
        await shown.response()
        message = await shown.message()
        opened = await fake_discord.click(message, lb(message, "suggest_mine"), user=mel)
        modal = await opened.wait_modal()
        prefilled = {row["component"]["custom_id"]: row["component"].get("value")
                     for row in modal["components"] if "component" in row}  # fmt: skip
        assert prefilled == {"name": mine.name, "title": mine.title, "category": mine.category, "body": mine.body}
        sent = await form(fake_discord, opened, {"title": "Scope creep: quote it separately"})
        assert "suggestion #1 (`scope-creep`) is with this server's curators" in await answer_text(sent)
        (waiting,) = await ServerTemplateRepository(bot.db).pending(guild.id)
        assert (waiting.suggester_id, waiting.title, waiting.body) == (mel.id, "Scope creep: quote it separately",
                                                                        mine.body)  # fmt: skip
        assert await library_rows(bot, guild.id) == []  # a curator decides
        # Where the bot itself is not installed (or in a DM) the template shows without the button.
        for where in ({"guild": foreign}, {"dm": True, "user_installed": True}):
            elsewhere = await fake_discord.slash("templates mine show", user=mel, options={"template": "scope-creep"},
                                                 **where)  # fmt: skip
            await elsewhere.response()
            assert (await elsewhere.message()).custom_ids() == []
