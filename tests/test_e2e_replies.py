"""/reply, "Draft a reply…" and /templates mine end to end: real discord.py against the fake Discord."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.client import DisputeBot
from bot.replies.custom_ids import parse_reply_control
from bot.sandbox import Limits, PoolSettings, RenderPool
from bot.storage.profiles import ProfileRepository
from bot.storage.reply_templates import ReplyTemplateRepository
from tests.deskbot import desk_bot
from tests.fakediscord import FakeDiscord, FakeMessage, FakeUser, SimulatedInteraction

pytestmark = pytest.mark.timeout(120)
EPHEMERAL = 1 << 6
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def fixed_clock(bot: DisputeBot) -> None:
    bot.clock = lambda: NOW


def rp(message: FakeMessage, action: str) -> str:
    for custom_id in message.custom_ids():
        control = parse_reply_control(custom_id)
        if control is not None and control.action == action:
            return custom_id
    raise AssertionError(f"no {action!r} control on message {message.id}: {message.custom_ids()}")


def modal_fields(modal: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["component"]["custom_id"]: row["component"] for row in modal["components"] if "component" in row}


def public_posts(fake: FakeDiscord) -> list[FakeMessage]:
    """Everything anyone but the clicking user could see: channel posts and non-ephemeral answers."""
    return [m for m in fake.messages.values() if not m.ephemeral and not m.deleted]


YES_NO = ("delivered_in_full", "revisions_done", "fix_offered", "no_defects_listed", "extra_offered")


def plausible(name: str) -> str:
    if name == "platform":
        return "Fiverr"
    if name in YES_NO:
        return "yes"
    if name.endswith("date"):
        return "2026-11-01"
    if name.startswith(("revisions", "extra_days", "days")):
        return "2"
    if name.endswith(("price", "amount")):
        return "$50"
    return "the agreed logo"


async def fill_every_page(
    fake: FakeDiscord, opened: SimulatedInteraction, user: FakeUser, values: dict[str, str]
) -> str:
    """Submit the form page by page (Continue in between) until the reply is ready; return its text."""
    for _ in range(5):
        fields = modal_fields(await opened.wait_modal())
        submitted = await fake.submit_modal(opened, {k: values.get(k, plausible(k)) for k in fields})
        answer = await submitted.response()
        if answer.files:
            return answer.files[0].text
        message = await submitted.message() if submitted.source_message is None else submitted.source_message
        opened = await fake.click(fake.messages[message.id], rp(fake.messages[message.id], "page"), user=user)
    raise AssertionError("the form never finished")


async def set_profile(bot: DisputeBot, user: FakeUser, **values: str) -> None:
    await ProfileRepository(bot.db).update(user.id, **values)


async def builtin_id(bot: DisputeBot, name: str) -> str:
    stored = await ReplyTemplateRepository(bot.db).find_by_name("builtin", 0, name)
    assert stored is not None
    return str(stored.id)


async def test_reply_with_everything_known_is_copy_ready_and_posts_only_on_click(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake_discord.add_user("alice")
    guild = fake_discord.add_guild("Freelancers")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        await set_profile(bot, alice, display_name="Ana", default_platform="fiverr")
        started = await fake_discord.slash(
            "reply", user=alice, guild=guild, options={"template": "cancel-accept", "buyer_name": "Sam @everyone"}
        )
        answer = await started.response()
        assert answer.type == 4 and answer.data["flags"] & EPHEMERAL
        assert answer.data["allowed_mentions"] == {"parse": []}
        text = answer.files[0].text.strip()
        assert text.startswith("Hi Sam @\u200beveryone") and "the order amount" in text
        assert not text.endswith("Ana")  # a Fiverr chat message carries no email sign-off
        assert f"```\n{text}\n```" in answer.data["content"]
        assert public_posts(fake_discord) == []  # nothing public before the click
        message = await started.message()
        post = await fake_discord.click(message, rp(message, "post"), user=alice)
        posted = await post.response()
        assert posted.type == 4 and not posted.data.get("flags", 0) & EPHEMERAL
        assert posted.data["content"] == text
        assert posted.data["allowed_mentions"] == {"parse": []}
        assert len(public_posts(fake_discord)) == 1
        again = await (await fake_discord.click(message, rp(message, "post"), user=alice)).response()
        assert again.data["flags"] & EPHEMERAL and "already posted" in again.data["content"]
        uses = await bot.db.fetch_one("SELECT uses FROM template_usage WHERE user_id = ?", (alice.id,))
        assert uses is not None and uses[0] == 1


async def test_autocomplete_is_capped_and_ranked_by_own_use(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice, bob = fake_discord.add_user("alice"), fake_discord.add_user("bob")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        everything = await (
            await fake_discord.autocomplete("reply", focused="template", value="", user=alice, dm=True)
        ).choices()
        assert len(everything) == 25
        assert all(len(c["name"]) <= 100 and c["value"].isdigit() for c in everything)
        before = await (
            await fake_discord.autocomplete("reply", focused="template", value="review", user=alice, dm=True)
        ).choices()
        favourite = before[-1]
        assert "review" in favourite["name"].lower() and before[0] != favourite
        await set_profile(bot, alice, display_name="Ana")
        for _ in range(2):  # use it twice, for real
            used = await fake_discord.slash("reply", user=alice, dm=True, options={"template": favourite["value"]})
            modal = await used.wait_modal()
            filled = {k: plausible(k) for k in modal_fields(modal)}
            done = await (await fake_discord.submit_modal(used, filled)).response()
            assert done.files, done.data
        after = await (
            await fake_discord.autocomplete("reply", focused="template", value="review", user=alice, dm=True)
        ).choices()
        assert after[0] == favourite
        bobs = await (
            await fake_discord.autocomplete("reply", focused="template", value="review", user=bob, dm=True)
        ).choices()
        assert bobs == before  # someone else's use does not reorder bob's list
        quick = await fake_discord.autocomplete("reply", focused="template", value="remind late", user=bob, dm=True)
        assert 0 < len(await quick.choices()) <= 25


async def test_two_page_form_with_a_refused_value_kept_and_fixed(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    guild = fake_discord.add_guild("Freelancers")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock):
        started = await fake_discord.slash(
            "reply",
            user=alice,
            guild=guild,
            options={"template": "support-cancellation-summary", "order_id": "FO123"},
        )
        first = await started.wait_modal()
        assert first["title"].startswith("1/2 · ")
        page_one = modal_fields(first)
        assert len(page_one) == 5 and "order_id" not in page_one
        typed = {"platform": "Fiverr", "order_amount": "$400", "order_date": "someday", "agreed_scope": "a logo"}
        refused = await fake_discord.submit_modal(started, {**typed, "delivery_date": "2026-11-10"})
        warning = await refused.response()
        assert warning.type == 4 and warning.data["flags"] & EPHEMERAL
        assert "⚠" in warning.data["content"] and "Date the order started" in warning.data["content"]
        assert public_posts(fake_discord) == []
        message = await refused.message()
        reopened = await fake_discord.click(message, rp(message, "page"), user=alice)
        again = modal_fields(await reopened.wait_modal())
        assert again["order_date"]["value"] == "someday" and again["platform"]["value"] == "Fiverr"
        accepted = await fake_discord.submit_modal(reopened, {"order_date": "2026-10-02"})
        moved = await accepted.response()
        assert moved.type == 7 and "Continue (page 2 of 2)" in str(fake_discord.messages[message.id].components)
        message = fake_discord.messages[message.id]
        second = await fake_discord.click(message, rp(message, "page"), user=alice)
        page_two = modal_fields(await second.wait_modal())
        assert set(page_two) == {"revisions_used", "revisions_included", "request_date", "buyer_reason", "display_name"}
        finished = await fake_discord.submit_modal(
            second,
            {
                "revisions_used": "2",
                "revisions_included": "2",
                "request_date": "2026-11-12",
                "buyer_reason": "not satisfied",
                "display_name": "Ana",
            },
        )
        result = await finished.response()
        assert result.type == 7
        text = result.files[0].text
        assert "FO123" in text and "$400" in text and "2 October 2026" in text and "Ana" in text
        assert text.startswith("Hello Fiverr Customer Support,")
        assert "both revisions included in the order were used" in text
        assert "[" not in text  # nothing left as a raw placeholder
        assert public_posts(fake_discord) == []


async def test_draft_a_reply_from_a_message(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice, buyer = fake_discord.add_user("alice"), fake_discord.add_user("buyer")
    guild = fake_discord.add_guild("Freelancers")
    words = "I'm not satisfied, cancel the order and refund me or I will leave a 1 star review"
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        await set_profile(bot, alice, display_name="Ana")
        target = fake_discord.add_message(guild.channel, buyer, words)
        menu = await fake_discord.context_menu("Draft a reply…", target, user=alice, guild=guild)
        shown = await menu.response()
        assert shown.type == 4 and shown.data["flags"] & EPHEMERAL
        message = await menu.message()
        template_select = message.component(rp(message, "pick"))
        names = [o["description"] for o in template_select["options"]]
        assert any(name.startswith("cancel-") for name in names), names
        case_select = message.component(rp(message, "case"))
        types = [o["value"] for o in case_select["options"]]
        assert "cancellation_after_delivery" in types

        # A dispute type: a case is opened with the type and the buyer's words answered.
        picked = await fake_discord.select(message, rp(message, "case"), ["cancellation_after_delivery"], user=alice)
        answer = await picked.response()
        assert answer.type == 7 and "/dispute resume case:" in answer.data["content"]
        session_id = int(answer.data["content"].split("case:")[1].split("`")[0])
        row = await bot.db.fetch_one("SELECT user_id, state FROM dispute_sessions WHERE id = ?", (session_id,))
        assert row is not None and row["user_id"] == alice.id
        assert '"buyer_message": "' + words in row["state"] and "cancellation_after_delivery" in row["state"]
        resumed = await fake_discord.slash("dispute resume", user=alice, guild=guild, options={"case": session_id})
        assert (await resumed.response()).data["embeds"][0]["title"].startswith("Step 2")

        # A template: the /reply flow starts (here its form opens in answer to the pick).
        menu = await fake_discord.context_menu("Draft a reply…", target, user=alice, guild=guild)
        await menu.response()
        message = await menu.message()
        chosen = next(
            o for o in message.component(rp(message, "pick"))["options"] if o["description"].startswith("cancel")
        )
        opened = await fake_discord.select(message, rp(message, "pick"), [chosen["value"]], user=alice)
        text = await fill_every_page(fake_discord, opened, alice, {"buyer_name": "Sam"})
        assert text.startswith("Hi Sam") and "cancel" in text
        empty = fake_discord.add_message(guild.channel, buyer, "")
        nothing = await (await fake_discord.context_menu("Draft a reply…", empty, user=alice, guild=guild)).response()
        assert nothing.data["flags"] & EPHEMERAL and "no text" in nothing.data["content"]


async def author(
    fake: FakeDiscord, opened: SimulatedInteraction, values: dict[str, str]
) -> tuple[SimulatedInteraction, FakeMessage]:
    """Submit the create/edit form; return the submit and the message that answers it."""
    await opened.wait_modal()
    submitted = await fake.submit_modal(opened, values)
    await submitted.response()
    message = submitted.source_message or await submitted.message()
    return submitted, fake.messages[message.id]


async def test_personal_template_lint_preview_save_use_edit_delete(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice, bob = fake_discord.add_user("alice"), fake_discord.add_user("bob")
    guild = fake_discord.add_guild("Freelancers")
    body = (
        "Hi {{ buyer_name }},\n"
        "About your message ({{ buyer_message }}): {{ x.__class__ }}\n"
        "The fee is {{ rush_fee }}.\n"
        "{{ sign_off }}, {{ display_name }}"
    )
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        await set_profile(bot, alice, display_name="Ana")
        opened = await fake_discord.slash("templates mine create", user=alice, guild=guild)
        typed = {"name": "Rush Fee", "title": "Rush fee for a faster delivery", "category": "", "body": body}
        _, message = await author(fake_discord, opened, typed)
        assert message.ephemeral and "Not saved" in message.content and "Body line 2" in message.content
        assert await ReplyTemplateRepository(bot.db).count_owned("user", alice.id) == 0
        fix = await fake_discord.click(message, rp(message, "fix"), user=alice)
        kept = modal_fields(await fix.wait_modal())
        assert kept["body"]["value"] == body and kept["name"]["value"] == "Rush Fee"
        fixed = body.replace(": {{ x.__class__ }}", "")
        _, message = await author(fake_discord, fix, {"body": fixed})
        preview = message.embeds[0]
        assert "Preview of rush-fee" in preview["title"]
        assert "The fee is $150." in preview["description"] and "Ana" in preview["description"]
        assert "`rush_fee` (money)" in preview["fields"][0]["value"]
        saved = await fake_discord.click(message, rp(message, "save"), user=alice)
        assert "/reply template:rush-fee" in (await saved.response()).data["content"]

        # It is found in autocomplete (and only for its owner) and fills like any other.
        mine = await (
            await fake_discord.autocomplete("reply", focused="template", value="rush", user=alice, dm=True)
        ).choices()
        assert mine[0]["name"].startswith("★ Rush fee")
        theirs = await (
            await fake_discord.autocomplete("reply", focused="template", value="rush", user=bob, dm=True)
        ).choices()
        assert theirs == []
        refused = await fake_discord.slash("reply", user=bob, dm=True, options={"template": mine[0]["value"]})
        assert "is available to you" in (await refused.response()).data["content"]
        used = await fake_discord.slash(
            "reply", user=alice, guild=guild, options={"template": mine[0]["value"], "buyer_name": "Sam"}
        )
        form = modal_fields(await used.wait_modal())
        assert set(form) == {"buyer_message", "rush_fee"}
        done = await (await fake_discord.submit_modal(used, {"buyer_message": "asap", "rush_fee": "80"})).response()
        assert done.files[0].text == "Hi Sam,\nAbout your message (asap)\nThe fee is $80.\nBest regards, Ana\n"

        # Edit: the form opens with the saved text; the change shows in /templates mine show.
        editing = await fake_discord.slash("templates mine edit", user=alice, dm=True, options={"template": "rush-fee"})
        assert modal_fields(await editing.wait_modal())["body"]["value"] == fixed
        _, message = await author(fake_discord, editing, {"body": fixed.replace("The fee is", "A rush costs")})
        await (await fake_discord.click(message, rp(message, "save"), user=alice)).response()
        shown = await (
            await fake_discord.slash("templates mine show", user=alice, dm=True, options={"template": "rush-fee"})
        ).response()
        assert "A rush costs {{ rush_fee }}" in shown.data["embeds"][0]["description"]
        listed = await (await fake_discord.slash("templates mine list", user=alice, dm=True)).response()
        assert "`rush-fee`" in listed.data["embeds"][0]["description"]

        # Delete, after a confirmation.
        asked = await fake_discord.slash("templates mine delete", user=alice, dm=True, options={"template": "rush-fee"})
        await asked.response()
        confirm = await asked.message()
        gone = await (await fake_discord.click(confirm, rp(confirm, "delete"), user=alice)).response()
        assert "Deleted `rush-fee`" in gone.data["content"]
        missing = await (
            await fake_discord.slash("reply", user=alice, dm=True, options={"template": "rush-fee"})
        ).response()
        assert missing.data["flags"] & EPHEMERAL and "No template called `rush-fee`" in missing.data["content"]


async def test_user_installed_reply_in_a_dm_and_a_foreign_server(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    foreign = fake_discord.add_guild("Not installed here", bot_member=False)
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        await set_profile(bot, alice, display_name="Ana", default_platform="fiverr")
        in_dm = await fake_discord.slash(
            "reply", user=alice, dm=True, user_installed=True, options={"template": "cancel-accept", "buyer_name": "Jo"}
        )
        answer = await in_dm.response()
        assert answer.data["flags"] & EPHEMERAL and answer.files[0].text.startswith("Hi Jo")
        outside = await fake_discord.slash(
            "reply", user=alice, guild=foreign, options={"template": "cancel-accept", "buyer_name": "Jo"}
        )
        assert outside.user_installed_outside
        await outside.response()
        message = await outside.message()
        posted = await (await fake_discord.click(message, rp(message, "post"), user=alice)).response()
        assert posted.type == 4 and not posted.data.get("flags", 0) & EPHEMERAL
        assert fake_discord.requests_to("POST", "/channels/{channel_id}/messages") == []


# A loose pool: only the worker's wall-clock budget stops this template (the real limits stop it sooner).
_LOOSE = Limits(loop_iterations=10**12, value_chars=10**12, int_bits=10**12)
_BOMB_BUDGET_S = 3.0  # room for another user's whole round trip on a busy machine
_SLOW_BOMB = (
    "{% set s = 'abcdefghij' * 10 %}"
    + "".join(f"{{% for v{i} in s %}}" for i in range(6))
    + ("{% if false %}x{% endif %}" + "{% endfor %}" * 6)
)


class WatchedPool:
    """The real render pool, with an event set when a render starts, so a test knows a bomb is in flight."""

    def __init__(self, pool: RenderPool) -> None:
        self.pool = pool
        self.started = asyncio.Event()

    async def render_async(self, source: str, values: Mapping[str, object]) -> str:
        self.started.set()
        return await self.pool.render_async(source, values)


async def test_hostile_templates_are_refused_and_others_keep_being_served(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    alice, bob = fake_discord.add_user("alice"), fake_discord.add_user("bob")
    pool = RenderPool(PoolSettings(workers=2, timeout_s=_BOMB_BUDGET_S, limits=_LOOSE)).start()
    watched = WatchedPool(pool)

    def prepare(bot: DisputeBot) -> None:
        fixed_clock(bot)
        bot.render_pool = watched  # type: ignore[assignment]

    try:
        async with desk_bot(fake_discord, tmp_path, prepare=prepare) as bot:
            await set_profile(bot, bob, display_name="Bo", default_platform="upwork")
            typed = {"name": "bomb", "title": "A bomb", "body": "{{ 'a' * 10**8 }}"}
            opened = await fake_discord.slash("templates mine create", user=alice, dm=True)
            _, message = await author(fake_discord, opened, typed)
            assert "Not saved" in message.content and "2,000 characters" in message.content

            # Both workers up (the first bomb may have cost one), so Bob's render needs no new process.
            await asyncio.gather(pool.render_async("ok", {}), pool.render_async("ok", {}))
            opened = await fake_discord.slash("templates mine create", user=alice, dm=True)
            await opened.wait_modal()
            watched.started.clear()
            slow = await fake_discord.submit_modal(opened, {**typed, "body": _SLOW_BOMB})
            await watched.started.wait()  # the bomb is rendering now
            meanwhile = await fake_discord.slash(
                "reply", user=bob, dm=True, options={"template": "cancel-accept", "buyer_name": "Jo"}
            )
            served = await meanwhile.response()
            assert served.files[0].text.startswith("Hi Jo")
            verdict = slow.original.content if slow.original is not None else ""
            assert "Not saved" not in verdict, "Bob waited for Alice's bomb"
            refused = await slow.message()  # acknowledged at once, answered when the bomb was stopped
            assert "Not saved" in refused.content
            assert f"longer than {_BOMB_BUDGET_S:g} s" in refused.content
            assert await ReplyTemplateRepository(bot.db).count_owned("user", alice.id) == 0
    finally:
        pool.close()


async def test_form_and_buttons_from_before_a_restart_still_work(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock):
        started = await fake_discord.slash("reply", user=alice, dm=True, options={"template": "cancel-accept"})
        await started.wait_modal()
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock):
        submitted = await fake_discord.submit_modal(started, {"buyer_name": "Sam", "platform": "Fiverr"})
        answer = await submitted.response()
        assert answer.files[0].text.startswith("Hi Sam")
        message = await submitted.message()
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock):
        posted = await (await fake_discord.click(message, rp(message, "post"), user=alice)).response()
        assert posted.type == 4 and posted.data["content"].startswith("Hi Sam")


async def test_reply_offers_only_the_replies_that_fit_the_sellers_platform(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    alice, buyer = fake_discord.add_user("alice"), fake_discord.add_user("buyer")
    guild = fake_discord.add_guild("Freelancers")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        await set_profile(bot, alice, default_platform="fiverr")

        async def names(value: str, **options: str) -> list[str]:
            found = await fake_discord.autocomplete(
                "reply", focused="template", value=value, user=alice, dm=True, options=options
            )
            return [choice["name"] for choice in await found.choices()]

        on_fiverr = await names("milestone")
        assert on_fiverr and not any("fund-next-milestone" in n or "weekly-update-hourly" in n for n in on_fiverr)
        assert any("fund-next-milestone" in n for n in await names("milestone", platform="upwork"))
        assert not any("remind-late" in n for n in await names("invoice overdue"))
        assert any("remind-late" in n for n in await names("invoice overdue", platform="direct"))

        # The same reply speaks the platform's tool: Upwork gets a milestone, not a custom extra.
        started = await fake_discord.slash(
            "reply", user=alice, dm=True, options={"template": "scope-new-work-quote", "platform": "upwork"}
        )
        text = await fill_every_page(fake_discord, started, alice, {"buyer_name": "Sam", "extra_days": "1"})
        assert "a new milestone on this contract" in text and "custom extra" not in text
        assert "delivery date" in text and "by 1 day" in text

        # "Draft a reply…" only suggests what fits the profile's platform.
        target = fake_discord.add_message(guild.channel, buyer, "Please release the milestone, I submitted the work")
        menu = await fake_discord.context_menu("Draft a reply…", target, user=alice, guild=guild)
        await menu.response()
        message = await menu.message()
        picked = [o["description"] for o in message.component(rp(message, "pick"))["options"]]
        assert picked and "milestone-release-request" not in picked and "fund-next-milestone" not in picked
    assert fake_discord.spec_problems == []


async def test_the_wording_check_shows_beside_every_filled_reply_and_personal_template(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        await set_profile(bot, alice, default_platform="fiverr")
        opened = await fake_discord.slash("templates mine create", user=alice, dm=True)
        body = "Hi {{ buyer_name }}, send the logo files to alex.design@gmail.com and I'll start."
        typed = {"name": "files-by-mail", "title": "Ask for the files", "category": "", "body": body}
        _, message = await author(fake_discord, opened, typed)
        assert "Check before sending" in message.content and "alex.design@gmail.com" in message.content
        assert "Preview of files-by-mail" in message.embeds[0]["title"]
        await (await fake_discord.click(message, rp(message, "save"), user=alice)).response()

        used = await fake_discord.slash(
            "reply", user=alice, dm=True, options={"template": "files-by-mail", "buyer_name": "Sam"}
        )
        shown = await used.response()
        assert shown.files[0].text.startswith("Hi Sam, send the logo files")
        warning_part = shown.data["content"].split("```")[0]
        assert "⚠" in warning_part and "alex.design@gmail.com" in warning_part and "off-platform" in warning_part

        shown_as_written = await (
            await fake_discord.slash("templates mine show", user=alice, dm=True, options={"template": "files-by-mail"})
        ).response()
        assert "⚠" in shown_as_written.data["content"] and "alex.design@gmail.com" in shown_as_written.data["content"]

        # A value typed into a built-in reply is checked too.
        quote = await fake_discord.slash(
            "reply", user=alice, dm=True, options={"template": "scope-new-work-quote", "buyer_name": "Sam"}
        )
        text = await fill_every_page(fake_discord, quote, alice, {"new_items": "your email for the WP admin"})
        assert "your email for the WP admin" in text
        last = [m for m in fake_discord.messages.values() if m.ephemeral and "```" in m.content][-1]
        assert "⚠" in last.content.split("```")[0] and "'email'" in last.content

        # A clean reply shows no warning.
        clean = await fake_discord.slash(
            "reply", user=alice, dm=True, options={"template": "cancel-accept", "buyer_name": "Sam"}
        )
        assert "⚠" not in (await clean.response()).data["content"]
    assert fake_discord.spec_problems == []


async def test_a_meaningless_value_is_refused_privately_with_what_to_type(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path, prepare=fixed_clock) as bot:
        await set_profile(bot, alice, default_platform="direct", display_name="Ana")
        started = await fake_discord.slash(
            "reply",
            user=alice,
            dm=True,
            options={"template": "remind-late-1-3", "buyer_name": "Jo", "due_date": "2026-10-14"},
        )
        refused = await started.response()  # 45 days late: not the gentle step of the ladder
        assert refused.data["flags"] & EPHEMERAL and "⚠" in refused.data["content"]
        assert "45 days ago" in refused.data["content"] and "remind-late-7-14" in refused.data["content"]
        message = await started.message()
        reopened = await fake_discord.click(message, rp(message, "page"), user=alice)
        fields = modal_fields(await reopened.wait_modal())
        assert fields["due_date"]["value"] == "2026-10-14"  # what was typed is kept to fix
        typed = {
            "due_date": "2026-11-25",
            "invoice_number": "INV-7",
            "amount": "$90",
            "invoice_link": "https://pay.example.com/7",
        }
        done = await (
            await fake_discord.submit_modal(reopened, {k: typed.get(k, plausible(k)) for k in fields})
        ).response()
        text = done.files[0].text
        assert "is 3 days overdue" in text and text.endswith("\n\nBest regards,\nAna\n")
        assert public_posts(fake_discord) == []
    assert fake_discord.spec_problems == []
