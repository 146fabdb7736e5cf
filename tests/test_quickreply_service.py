"""Quick-reply use cases on real SQLite without Discord: the personal-template cap, draft purge."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.engine.flow import load_flow
from bot.errors import DisputeDeskError
from bot.quickreply.personal import MAX_PERSONAL_TEMPLATES
from bot.quickreply.service import QuickReplyService
from bot.replies import LIBRARY_DIR, load_library
from bot.replies.library import SHARED_VARIABLES_FILE, load_shared_variables
from bot.sandbox import render_in_process
from bot.storage import Database
from bot.storage.reply_templates import TemplateRecord

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


async def render(source: str, values: object) -> str:
    return render_in_process(source, values)  # type: ignore[arg-type]


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[QuickReplyService]:
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        await db.migrate()
        yield QuickReplyService(
            db,
            library=load_library(),
            shared_variables=load_shared_variables(LIBRARY_DIR / SHARED_VARIABLES_FILE),
            renderer=render,
            flow=load_flow(),
        )


async def test_a_seller_keeps_at_most_the_cap_of_personal_templates(service: QuickReplyService) -> None:
    for number in range(MAX_PERSONAL_TEMPLATES - 1):
        await service.templates.create("user", 7, TemplateRecord(f"t{number}", f"T {number}", "personal", "", "Hi"))
    assert await service.begin_create(7, NOW) > 0
    await service.templates.create("user", 7, TemplateRecord("last", "Last", "personal", "", "Hi"))
    with pytest.raises(DisputeDeskError, match=f"You have {MAX_PERSONAL_TEMPLATES} personal templates"):
        await service.begin_create(7, NOW)
    assert await service.begin_create(8, NOW) > 0  # another seller is not affected


async def test_untouched_drafts_are_purged_after_their_time(service: QuickReplyService) -> None:
    old = await service.begin_create(7, NOW - timedelta(days=3))
    fresh = await service.begin_create(7, NOW)
    assert await service.purge(NOW) == 1
    assert await service.drafts.get(old) is None
    assert await service.drafts.get(fresh) is not None
