"""Quick replies in progress on both engines: create, read, save, delete, purge by age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import Database
from bot.storage.database import INTEGRITY_ERRORS
from bot.storage.reply_drafts import ReplyDraftRepository

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


async def test_create_get_save_delete(db: Database) -> None:
    drafts = ReplyDraftRepository(db)
    first = await drafts.create(7, "fill", {"template_id": 3, "values": {"a": "1"}, "page": 0}, NOW)
    second = await drafts.create(7, "author", {"typed": {}}, NOW)
    assert second.id > first.id
    assert await drafts.get(first.id) == first
    assert first.created_at == NOW and first.kind == "fill" and first.user_id == 7
    later = NOW + timedelta(minutes=5)
    saved = await drafts.save(first.id, {"template_id": 3, "values": {"a": "1", "b": "2"}, "page": 1}, later)
    assert saved is not None and saved.state["page"] == 1 and saved.updated_at == later
    assert saved.created_at == NOW
    assert await drafts.delete(first.id) is True
    assert await drafts.delete(first.id) is False
    assert await drafts.get(first.id) is None
    assert await drafts.save(first.id, {}, later) is None


async def test_kind_is_checked(db: Database) -> None:
    with pytest.raises(INTEGRITY_ERRORS):
        await ReplyDraftRepository(db).create(1, "other", {})  # type: ignore[arg-type]


async def test_purge_removes_only_untouched_drafts(db: Database) -> None:
    drafts = ReplyDraftRepository(db)
    old = await drafts.create(1, "fill", {}, NOW - timedelta(days=3))
    touched = await drafts.create(1, "pick", {}, NOW - timedelta(days=3))
    await drafts.save(touched.id, {"x": 1}, NOW - timedelta(hours=1))
    fresh = await drafts.create(2, "author", {}, NOW)
    assert await drafts.purge(timedelta(days=2), NOW) == 1
    assert await drafts.get(old.id) is None
    assert await drafts.get(touched.id) is not None and await drafts.get(fresh.id) is not None


async def test_set_flag_changes_once(db: Database) -> None:
    drafts = ReplyDraftRepository(db)
    draft = await drafts.create(1, "fill", {"text": "hi", "posted": False}, NOW)
    assert await drafts.set_flag(draft.id, "posted", True, NOW) is True
    assert await drafts.set_flag(draft.id, "posted", True, NOW) is False
    stored = await drafts.get(draft.id)
    assert stored is not None and stored.state == {"text": "hi", "posted": True}
    assert await drafts.set_flag(draft.id, "posted", False, NOW) is True
    missing = await drafts.create(1, "fill", {}, NOW)
    assert await drafts.set_flag(missing.id, "posted", True, NOW) is True
    assert await drafts.set_flag(9999, "posted", True, NOW) is False
