"""Quick-reply use cases on real SQLite without Discord: the personal-template cap, draft purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import DisputeDeskError
from bot.replies.personal import MAX_PERSONAL_TEMPLATES
from bot.services import Services
from bot.storage.reply_templates import TemplateRecord

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)




async def test_a_seller_keeps_at_most_the_cap_of_personal_templates(service: Services) -> None:
    for number in range(MAX_PERSONAL_TEMPLATES - 1):
        record = TemplateRecord(f"t{number}", f"T {number}", "personal", "", "Hi")
        await service.catalog.templates.create("user", 7, record)
    assert await service.authoring.begin_create(7, NOW) > 0
    await service.catalog.templates.create("user", 7, TemplateRecord("last", "Last", "personal", "", "Hi"))
    with pytest.raises(DisputeDeskError, match=f"You have {MAX_PERSONAL_TEMPLATES} personal templates"):
        await service.authoring.begin_create(7, NOW)
    assert await service.authoring.begin_create(8, NOW) > 0  # another seller is not affected


async def test_untouched_drafts_are_purged_after_their_time(service: Services) -> None:
    old = await service.authoring.begin_create(7, NOW - timedelta(days=3))
    fresh = await service.authoring.begin_create(7, NOW)
    assert await service.reply_drafts.purge(NOW) == 1
    assert await service.reply_drafts.repo.get(old) is None
    assert await service.reply_drafts.repo.get(fresh) is not None
