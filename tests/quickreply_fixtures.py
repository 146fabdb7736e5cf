"""Quick-reply fixtures: the real QuickReplyService on a real, migrated SQLite database."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bot.replies.fill import AsyncRenderer
from bot.replies.service import QuickReplyService
from bot.sandbox import render_in_process
from bot.services import build_services
from bot.storage import Database
from bot.storage.scheduled_jobs import JobRepository


async def render_here(source: str, values: Mapping[str, object]) -> str:
    """The sandbox's in-process renderer (same dialect and caps, no worker process)."""
    return render_in_process(source, values)  # type: ignore[arg-type]


def quick_reply_service(db: Database, renderer: AsyncRenderer = render_here) -> QuickReplyService:
    """Built by the bot's own composition root, as the running bot builds it."""
    return build_services(db, JobRepository(db), renderer).quick_replies


@pytest.fixture
def service(db: Database) -> QuickReplyService:
    """The service rendering in process; a test module may override it with another renderer."""
    return quick_reply_service(db)
