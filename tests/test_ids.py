"""Ids from users (custom ids, autocomplete values) are ASCII digits of at most 19 that fit SQLite;
a clash on a unique name is a domain message, never an IntegrityError."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.control_ids import parse_row_id
from bot.disputes.wizard.custom_ids import SCHEME as WIZARD
from bot.errors import DisputeDeskError
from bot.replies.custom_ids import parse_reply_control
from bot.storage import Database
from bot.storage.reply_templates import ReplyTemplateRepository, TemplateRecord
from tests.deskbot import desk_bot
from tests.fakediscord import FakeDiscord

EPHEMERAL = 1 << 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),  # past SQLite's largest integer
        ("99999999999999999999999999999999", None),
        ("²", None),  # isdigit() says yes; int() says no
        ("\u0663", None),  # Arabic-Indic three: int() would take it
        ("", None),
        ("-1", None),
        (" 12", None),
    ],
)
def test_row_ids_are_short_ascii_digits(text: str, expected: int | None) -> None:
    assert parse_row_id(text) == expected


@pytest.mark.parametrize("forged", ["dd:99999999999999999999999999999999:back", "dd:\u0663:back", "dd:²:back"])
def test_forged_custom_ids_do_not_parse(forged: str) -> None:
    assert WIZARD.parse(forged) is None
    assert parse_reply_control(forged.replace("dd:", "rp:")) is None


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with await Database.open(tmp_path / "db.sqlite3") as database:
        await database.migrate()
        yield database


async def test_a_name_clash_on_create_or_rename_is_a_domain_error(db: Database) -> None:
    templates = ReplyTemplateRepository(db)
    record = TemplateRecord("thanks", "Thanks", "delivery", "", "Hi", ())
    await templates.create("user", 7, record)
    # The service checks for a clash first; two submits at once both pass that check.
    with pytest.raises(DisputeDeskError, match="already have a template called `thanks`"):
        await templates.create("user", 7, record)
    other = await templates.create("user", 7, TemplateRecord("other", "Other", "delivery", "", "Hi", ()))
    with pytest.raises(DisputeDeskError, match="already have a template called `thanks`"):
        await templates.update(other.id, record)


async def test_forged_wizard_click_with_a_huge_id_gets_a_clean_answer(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path):
        started = await fake_discord.slash("dispute start", user=alice, dm=True)
        await started.response()
        message = await started.message()
        back = next(cid for cid in message.custom_ids() if message.component(cid).get("type") == 2)
        forged = "dd:99999999999999999999999999999999:back"
        message.component(back)["custom_id"] = forged  # what a modified client can send
        with caplog.at_level(logging.ERROR):
            clicked = await fake_discord.click(message, forged, user=alice)
            answer = await clicked.response()
    assert answer.data["flags"] & EPHEMERAL
    assert "Something went wrong" not in answer.data["content"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_reply_with_a_non_ascii_digit_template_gets_a_clean_answer(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    alice = fake_discord.add_user("alice")
    async with desk_bot(fake_discord, tmp_path):
        with caplog.at_level(logging.ERROR):
            used = await fake_discord.slash("reply", user=alice, dm=True, options={"template": "²"})
            answer = await used.response()
    assert answer.data["flags"] & EPHEMERAL
    assert "Something went wrong" not in answer.data["content"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
